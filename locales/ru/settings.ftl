# Настройки, профили и блокировка.

settings = Настройки
settings-notifications = Уведомления на рабочем столе
settings-typing = Сообщать, что я печатаю
settings-receipts = Отправлять отчёты о прочтении
settings-close = Закрыть
settings-notifications-unsupported = Этот браузер не умеет показывать уведомления.
settings-notifications-blocked = Уведомления для этой страницы запрещены: разрешите их в настройках сайта в браузере и попробуйте снова.

profile = Профиль
profile-change-avatar = Сменить аватар
profile-avatar-image = Изображение аватара
profile-nickname = Псевдоним
profile-close = Закрыть
profile-save = Сохранить профиль
profile-saved = Профиль сохранён.
profile-resizing = Уменьшаем изображение…
profile-offline = Нет подключения: попробуйте снова, когда связь восстановится.
profile-nickname-empty = Сначала введите псевдоним.
profile-not-an-image = Браузер не может прочитать этот файл как изображение.
profile-not-converted = Не удалось преобразовать изображение.
profile-not-read = Не удалось прочитать изображение.
profile-contact-details = Сведения о контакте
profile-full-name = Полное имя
profile-address = Адрес
profile-not-given = не указано
profile-loading = загрузка…

block-block-contact = Заблокировать
block-unblock-contact = Разблокировать
block-confirm-title = Заблокировать контакт?
block-confirm-explain = { $jid } больше не сможет писать вам и видеть, когда вы в сети.
block-cancel = Отмена
block-block = Заблокировать
block-notice = Вы заблокировали этот контакт.
block-badge = Заблокирован
block-list-button = Заблокированные
block-list = Заблокированные
block-none = Никто не заблокирован.
block-address = Адрес для блокировки
block-address-invalid = Введите адрес вида spammer@example.org (или целый домен).
block-unblock = Разблокировать
block-unblock-jid = Разблокировать { $jid }
block-close = Закрыть
block-offline = Нет подключения: попробуйте снова, когда связь восстановится.
