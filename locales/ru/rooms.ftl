# Групповые чаты: список комнат, приглашения, вход и обзор комнат, окно комнаты (шапка, действия
# и их панели, лента, участники) и личные чаты с участниками.

## Список комнат
room-list-title = Комнаты
room-list-empty = Комнат пока нет
room-join-button = Войти в комнату
room-joined = вы в комнате
room-not-joined = вы не в комнате
room-mentions-you = Вас упомянули
room-mention-count = { $count ->
    [one] { $count } упоминание
    [few] { $count } упоминания
   *[many] { $count } упоминаний
}

## Приглашения
room-invitations = Приглашения
room-invitation-from-room = Вас приглашают в { $room }
room-invitation = { $from } приглашает вас в { $room }
room-invitation-accept = Принять
room-invitation-decline = Отклонить

## Общие слова
room-cancel = Отмена
room-close = Закрыть
room-password = Пароль комнаты
room-reason = Причина
room-offline-retry = Нет соединения: попробуйте снова, когда оно восстановится.
room-send-offline = Нет соединения: сообщение не отправлено.

## Вход в комнату и обзор комнат
room-join-address = Адрес комнаты
room-join-nick = Ник
room-join-password-placeholder = только если он у комнаты есть
room-join-browse = Обзор комнат
room-join-submit = Войти
room-join-bad-address = Это не адрес комнаты. Пример адреса: room@conference.example.org.
room-join-no-nick = Выберите ник для комнаты.
room-join-offline = Нет соединения: войти в комнату можно будет, когда оно восстановится.
room-browser-service = Сервис комнат
room-browser-list = Показать комнаты
room-browser-filter = Фильтр комнат
room-browser-listing = Загрузка списка комнат…
room-browser-public = Публичные комнаты
room-browser-none = Комнат не найдено.
room-browser-bad-service = Это не адрес сервиса комнат. Пример адреса: conference.example.org.
room-browser-offline = Нет соединения: список комнат можно будет получить, когда оно восстановится.

## Окно комнаты
room-pane-label = Комната { $name }
room-back-to-contacts = Назад к контактам
room-joining = Вход…
room-no-subject = Без темы
room-as-nick = ваш ник: { $nick }
room-leave = Выйти из комнаты
room-people-label = Участники комнаты
room-composer-placeholder = Написать в комнату
room-composer-not-in = Вы не в комнате

## Действия и панели комнаты
room-enter = Войти в комнату
room-change-nick = Сменить ник
room-change-subject = Сменить тему
room-invite = Пригласить
room-settings = Настройки комнаты
room-bookmark = Закладка
room-autojoin = Входить автоматически
room-dismiss = Скрыть
room-nick-new = Новый ник
room-nick-empty = Введите новый ник.
room-nick-submit = Сменить
room-subject = Тема
room-subject-save = Сохранить тему
room-invite-label = Пригласить в комнату
room-invite-address = Адрес контакта
room-invite-reason-placeholder = необязательно
room-invite-members-only = Комната только для участников: приглашение отправит сама комната.
room-invite-send = Отправить приглашение
room-invite-sent = Приглашение для { $jid } отправлено
room-settings-not-loaded = Не удалось загрузить настройки.
room-settings-loading = Загрузка настроек комнаты…
room-settings-saved = Настройки сохранены
room-settings-name = Название комнаты
room-settings-description = Описание
room-settings-persistent = Постоянная
room-settings-members-only = Только для участников
room-settings-public = В публичном списке
room-settings-save = Сохранить настройки

## Лента комнаты
room-log-empty = В этой комнате пока нет сообщений.
room-log-start = Это самое начало истории комнаты.
room-log-loading-older = Загрузка старых сообщений…
room-log-load-older = Загрузить старые сообщения
room-log-gap = Здесь могут быть пропущены сообщения
room-log-load-missing = Загрузить пропущенные сообщения
# Отправитель сообщения от самой комнаты (без ника).
room-log-the-room = комната
room-log-mentions-you = Вас упомянули:
room-log-sending = Отправка…

## Участники
room-people = Участники
room-occupant-you = (вы)
room-occupant-actions = Действия: { $nick }
room-badge-owner = владелец
room-badge-admin = администратор
room-badge-moderator = модератор
room-badge-visitor = гость
room-menu-private = Личное сообщение
room-menu-kick = Выгнать
room-menu-voice-give = Дать голос
room-menu-voice-revoke = Лишить голоса
room-menu-ban = Заблокировать
room-kick-title = Выгнать { $nick }
room-ban-title = Заблокировать { $nick }
room-removal-reason-placeholder = Необязательно, участник её увидит
room-ban-unknown = Комната не сообщает, кто это: заблокировать нельзя.

## Личный чат с участником
room-private-label = Личный чат с { $nick }
room-private-gone = { $nick } нет в комнате: сообщения не могут быть доставлены.
room-private-back = Назад в комнату
room-private-in = Личный чат в комнате { $room }
room-private-empty = Личных сообщений пока нет.
room-private-placeholder = Написать лично
