# Anonymous visitors (XEP-0175): the support account's list of chats with people outside the
# roster, such as visitors of a site's chat widget.
stranger-chats-title = Other chats
# The widget was given something that is not a bare domain for its visitors.
visitor-bad-domain = “{ $domain }” is not a domain for anonymous visitors.
