# A one-to-one chat: its header, log, messages, composer, files, corrections and reactions
# (src/view/chat.rs, log.rs, message.rs, composer.rs, attachment.rs, upload_bar.rs, edits/,
# src/awareness.rs, upload.rs, attachment.rs).

chat-empty = Pick a contact to start chatting.
chat-not-in-contacts = not in your contacts
chat-conversation = Conversation with { $name }
chat-back = Back to contacts
chat-state = Chat state
chat-typing = { $name } is typing…
chat-typing-paused = { $name } paused typing
# A desktop notification's title for a mention in a room.
chat-notify-room-title = { $nick } in { $room }

composer-placeholder = Write a message
composer-placeholder-offline = Not connected: messages go out once connected
composer-send = Send

log-empty = No messages yet. Say hello!
log-loading-older = Loading older messages…
log-beginning = This is the beginning of the conversation.
log-load-older = Load older messages
log-gap = Some messages may be missing here
log-load-missing = Load missing messages

# The delivery state next to our messages.
msg-pending = Pending
msg-sent = Sent
msg-acked = Delivered to server
msg-delivered = Delivered
msg-read = Read
msg-failed = Failed
msg-not-delivered = Not delivered
msg-not-delivered-reason = Not delivered: { $reason }

attachment-download = Download { $name }
# A shared file's name when its URL has none.
attachment-unnamed = file
upload-file-to-send = File to send
upload-attach = Attach file
upload-dismiss = Dismiss upload error
upload-progress = Uploading { $name }
upload-cancel = Cancel
upload-cancel-label = Cancel upload
upload-too-large = { $name } is too large: the server accepts up to { $max } MB.
upload-failed = Could not send { $name }: { $reason }.
upload-no-service = your server does not offer file upload
upload-not-signed-in = you are not signed in

edit-actions = Message actions
edit-reply = Reply
edit-react = React
edit-edit = Edit
edit-retract = Retract
edit-react-with = React with { $emoji }
edit-pick-reaction = Pick a reaction
edit-reactions = Reactions
edit-retracted = This message was retracted
edit-edited = edited
edit-editing = Editing message
edit-cancel-edit = Cancel edit
edit-replying-to = Replying to { $name }
edit-cancel-reply = Cancel reply
edit-in-reply-to = In reply to { $name }
edit-quote-missing = (a message not available here)
# Ourselves in "In reply to …" before our address is known.
edit-me = me
