# The roster pane: filter, add contact, subscription requests, the contact list.

roster-filter-placeholder = Filter contacts
roster-add-contact = Add contact
roster-contacts-title = Contacts
roster-empty = No contacts yet. Add one with “Add contact”.
roster-no-match = No contacts match the filter.
roster-awaiting-approval = awaiting approval

# Subscription requests: "JID wants to add you" (the address comes first, in bold).
roster-requests-label = Contact requests
roster-requests-title = Requests
roster-request-wants = wants to add you
roster-request-accept = Accept
roster-request-accept-label = Accept { $jid }
roster-request-deny = Deny
roster-request-deny-label = Deny { $jid }

# The "Add contact" form.
roster-add-address = Contact address
roster-add-name = Contact name
roster-add-name-placeholder = Optional
roster-add-cancel = Cancel
roster-add-submit = Add
roster-add-offline = Not connected: the contact can be added once the connection is back.
