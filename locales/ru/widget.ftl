# Встраиваемый виджет (src/widget/): форма имени посетителя и ошибки встраивающей страницы.
widget-greeting = Здравствуйте! Как к вам обращаться?
widget-name = Ваше имя
widget-start = Начать чат
widget-name-empty = Введите имя.
widget-name-long = { $max ->
    [one] Не больше { $max } символа.
    [few] Не больше { $max } символов.
   *[many] Не больше { $max } символов.
}
widget-contact-and-room = Укажите либо собеседника, либо комнату, но не то и другое.
widget-not-a-domain = «{ $input }» — не домен.
widget-needs-domain = Для чата посетителя нужен атрибут domain.
widget-needs-target = Для чата посетителя нужен собеседник или комната.
