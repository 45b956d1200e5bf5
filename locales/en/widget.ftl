# The embeddable widget (src/widget/): the visitor's nickname form and what the embedding
# page got wrong. Accessible names (Start chat, Your name) stay English as aria-label.
widget-greeting = Hi! What should we call you?
widget-name = Your name
widget-start = Start chat
widget-name-empty = Enter your name.
widget-name-long = { $max ->
    [one] Use at most { $max } character.
   *[other] Use at most { $max } characters.
}
widget-contact-and-room = Give either a contact or a room, not both.
widget-not-a-domain = “{ $input }” is not a domain.
widget-needs-domain = A visitor chat needs the domain attribute.
widget-needs-target = A visitor chat needs a contact or a room to talk to.
