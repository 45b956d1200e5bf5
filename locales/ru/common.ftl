# Слова, общие для всего интерфейса. У каждой части интерфейса свой файл рядом с этим.

unread-count = { $count ->
    [one] { $count } непрочитанное
    [few] { $count } непрочитанных
   *[many] { $count } непрочитанных
}
contact-count = { $count ->
    [one] { $count } контакт
    [few] { $count } контакта
   *[many] { $count } контактов
}
language = Язык
language-auto = Язык браузера
