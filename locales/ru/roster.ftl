# Список контактов: фильтр, добавление контакта, запросы на подписку, сам список.

roster-filter-placeholder = Поиск
roster-add-contact = Добавить контакт
roster-contacts-title = Контакты
roster-empty = Контактов пока нет. Добавьте их кнопкой «Добавить контакт».
roster-no-match = Нет контактов, подходящих под фильтр.
roster-awaiting-approval = ждёт подтверждения

# «JID хочет добавить вас» (адрес идёт первым, жирным).
roster-requests-label = Запросы на добавление
roster-requests-title = Запросы
roster-request-wants = хочет добавить вас
roster-request-accept = Принять
roster-request-accept-label = Принять { $jid }
roster-request-deny = Отклонить
roster-request-deny-label = Отклонить { $jid }

roster-add-address = Адрес контакта
roster-add-name = Имя контакта
roster-add-name-placeholder = Необязательно
roster-add-cancel = Отмена
roster-add-submit = Добавить
roster-add-offline = Нет соединения: контакт можно будет добавить, когда оно восстановится.
