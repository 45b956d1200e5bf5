# Settings, profiles and blocking (src/view/awareness.rs, profile.rs, blocking.rs).

settings = Settings
settings-notifications = Desktop notifications
settings-typing = Send typing notifications
settings-receipts = Send read receipts
settings-close = Close
settings-notifications-unsupported = This browser cannot show notifications.
settings-notifications-blocked = Notifications are blocked for this page: allow them in the browser's site settings, then try again.

profile = Profile
profile-change-avatar = Change avatar
profile-avatar-image = Avatar image
profile-nickname = Nickname
profile-close = Close
profile-save = Save profile
profile-saved = Profile saved.
profile-resizing = Resizing the picture…
profile-offline = Not connected: try again once the connection is back.
profile-nickname-empty = Type a nickname first.
profile-not-an-image = This file is not a picture the browser can read.
profile-not-converted = The picture could not be converted.
profile-not-read = The picture could not be read.
profile-contact-details = Contact details
profile-full-name = Full name
profile-address = Address
profile-not-given = not given
profile-loading = loading…

block-block-contact = Block contact
block-unblock-contact = Unblock contact
block-confirm-title = Block contact?
block-confirm-explain = { $jid } will no longer be able to send you messages or see when you are online.
block-cancel = Cancel
block-block = Block
block-notice = You blocked this contact.
block-badge = Blocked
block-list-button = Blocked contacts
block-list = Blocked
block-none = No one is blocked.
block-address = Address to block
block-address-invalid = Enter an address like spammer@example.org (or a whole domain).
block-unblock = Unblock
block-unblock-jid = Unblock { $jid }
block-close = Close
block-offline = Not connected: try again once the connection is back.
