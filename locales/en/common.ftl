# Words used across the UI. Each area of the UI has a file of its own next to this one.

# A contact or room's unread messages (the accessible name stays "N unread": UI contract).
unread-count = { $count } unread
contact-count = { $count ->
    [one] { $count } contact
   *[other] { $count } contacts
}
language = Language
language-auto = Browser's language
