# Личный чат: заголовок, журнал, сообщения, поле ввода, файлы, исправления и реакции.

chat-empty = Выберите контакт, чтобы начать разговор.
chat-not-in-contacts = нет в ваших контактах
chat-conversation = Разговор с { $name }
chat-back = К контактам
chat-state = Состояние собеседника
chat-typing = { $name } печатает…
chat-typing-paused = { $name }: пауза в наборе
chat-notify-room-title = { $nick } в { $room }

composer-placeholder = Напишите сообщение
composer-placeholder-offline = Нет подключения: сообщения уйдут, когда оно появится
composer-send = Отправить

log-empty = Сообщений пока нет. Поздоровайтесь!
log-loading-older = Загрузка более ранних сообщений…
log-beginning = Это начало разговора.
log-load-older = Загрузить более ранние сообщения
log-gap = Здесь может не хватать сообщений
log-load-missing = Загрузить пропущенные сообщения

msg-pending = Ожидает отправки
msg-sent = Отправлено
msg-acked = Доставлено на сервер
msg-delivered = Доставлено
msg-read = Прочитано
msg-failed = Ошибка
msg-not-delivered = Не доставлено
msg-not-delivered-reason = Не доставлено: { $reason }

attachment-download = Скачать { $name }
attachment-unnamed = файл
upload-file-to-send = Файл для отправки
upload-attach = Прикрепить файл
upload-dismiss = Скрыть ошибку загрузки
upload-progress = Загрузка { $name }
upload-cancel = Отмена
upload-cancel-label = Отменить загрузку
upload-too-large = Файл «{ $name }» слишком большой: сервер принимает файлы до { $max } МБ.
upload-failed = Не удалось отправить { $name }: { $reason }.
upload-no-service = ваш сервер не поддерживает загрузку файлов
upload-not-signed-in = вы не вошли в систему

edit-actions = Действия с сообщением
edit-reply = Ответить
edit-react = Реакция
edit-edit = Изменить
edit-retract = Отозвать
edit-react-with = Реакция { $emoji }
edit-pick-reaction = Выберите реакцию
edit-reactions = Реакции
edit-retracted = Сообщение отозвано
edit-edited = изменено
edit-editing = Изменение сообщения
edit-cancel-edit = Отменить изменение
edit-replying-to = Ответ для { $name }
edit-cancel-reply = Отменить ответ
edit-in-reply-to = В ответ на сообщение от { $name }
edit-quote-missing = (сообщение здесь недоступно)
edit-me = я
