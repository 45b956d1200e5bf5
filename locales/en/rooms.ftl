# Group chat: the rooms list, invitations, the join form and room browser, the room pane (header,
# actions and their panels, log, occupants) and private chats with occupants.

## The rooms list
room-list-title = Rooms
room-list-empty = No rooms yet
room-join-button = Join room
room-joined = joined
room-not-joined = not joined
room-mentions-you = Mentions you
room-mention-count = { $count ->
    [one] { $count } mention
   *[other] { $count } mentions
}

## Invitations
room-invitations = Invitations
room-invitation-from-room = You are invited to { $room }
room-invitation = { $from } invites you to { $room }
room-invitation-accept = Accept
room-invitation-decline = Decline

## Shared words
room-cancel = Cancel
room-close = Close
room-password = Room password
room-reason = Reason
room-offline-retry = Not connected: try again once the connection is back.
room-send-offline = Not connected: the message was not sent.

## Join form and room browser
room-join-address = Room address
room-join-nick = Nickname
room-join-password-placeholder = only if the room has one
room-join-browse = Browse rooms
room-join-submit = Join
room-join-bad-address = That is not a room address: it looks like room@conference.example.org.
room-join-no-nick = Choose a nickname for the room.
room-join-offline = Not connected: rooms can be joined once the connection is back.
room-browser-service = Chat service
room-browser-list = List rooms
room-browser-filter = Filter rooms
room-browser-listing = Listing rooms…
room-browser-public = Public rooms
room-browser-none = No rooms to show.
room-browser-bad-service = That is not a chat service address: it looks like conference.example.org.
room-browser-offline = Not connected: rooms can be listed once the connection is back.

## The room pane
room-pane-label = Room { $name }
room-back-to-contacts = Back to contacts
room-joining = Joining…
room-no-subject = No subject
room-as-nick = as { $nick }
room-leave = Leave room
room-people-label = People in the room
room-composer-placeholder = Write to the room
room-composer-not-in = Not in the room

## The room's actions and panels
room-enter = Enter room
room-change-nick = Change nickname
room-change-subject = Change subject
room-invite = Invite
room-settings = Room settings
room-bookmark = Bookmark room
room-autojoin = Join automatically
room-dismiss = Dismiss
room-nick-new = New nickname
room-nick-empty = Type the new nickname.
room-nick-submit = Change
room-subject = Subject
room-subject-save = Save subject
room-invite-label = Invite to room
room-invite-address = Contact address
room-invite-reason-placeholder = optional
room-invite-members-only = Members only: the room itself sends the invitation.
room-invite-send = Send invitation
room-invite-sent = Invitation sent to { $jid }
room-settings-not-loaded = The settings could not be loaded.
room-settings-loading = Loading the room's settings…
room-settings-saved = Settings saved
room-settings-name = Room name
room-settings-description = Description
room-settings-persistent = Persistent
room-settings-members-only = Members only
room-settings-public = Listed publicly
room-settings-save = Save settings

## The room's log
room-log-empty = No messages in this room yet.
room-log-start = This is the beginning of the room.
room-log-loading-older = Loading older messages…
room-log-load-older = Load older messages
room-log-gap = Some messages may be missing here
room-log-load-missing = Load missing messages
# The sender of a message the room itself sent (no nickname).
room-log-the-room = the room
room-log-mentions-you = Mentions you:
room-log-sending = Sending…

## Occupants
room-people = People
room-occupant-you = (you)
room-occupant-actions = Actions for { $nick }
room-badge-owner = owner
room-badge-admin = admin
room-badge-moderator = moderator
room-badge-visitor = visitor
room-menu-private = Private message
room-menu-kick = Kick
room-menu-voice-give = Give voice
room-menu-voice-revoke = Revoke voice
room-menu-ban = Ban
room-kick-title = Kick { $nick }
room-ban-title = Ban { $nick }
room-removal-reason-placeholder = Optional, shown to them
room-ban-unknown = The room does not say who this is: cannot ban.

## Private chat with an occupant
room-private-label = Private chat with { $nick }
room-private-gone = { $nick } is not in the room: messages cannot be delivered.
room-private-back = Back to room
room-private-in = Private, in { $room }
room-private-empty = No private messages yet.
room-private-placeholder = Write privately
