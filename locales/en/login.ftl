# Sign-in, the connection status and what a session's end says (src/view/login.rs,
# status.rs, main_view.rs, src/endpoint.rs, reconnect.rs, error_text.rs, session/).
# The English must stay word for word what tests and users match on.

login-tagline = Chat with anyone on XMPP.
# Visible labels; the fields keep the English names of the UI contract as aria-label.
login-address = Address
login-password = Password
login-url = Connection URL
login-url-hint = Optional: wss:// for WebSocket, https:// for BOSH. Leave it empty to find your server's own (WebSocket, or BOSH where WebSocket is blocked).
login-remember = Remember me
login-remember-hint = Stay signed in on this device, also offline. Your password is not stored. Leave it off on a shared computer.
login-submit = Sign in
login-password-empty = Enter your password.
login-address-empty = Enter your address, for example alice@example.org.
login-address-invalid = “{ $input }” is not a valid address. Use the form alice@example.org.
login-address-no-user = “{ $input }” is missing your user name. Use the form alice@example.org.
login-contact-empty = Enter the contact's address, for example bob@example.org.
login-contact-invalid = “{ $input }” is not a contact address. Use the form bob@example.org.
login-url-invalid = “{ $url }” is not a connection URL. Use one that starts with wss:// (or ws://, https://, http://).

# The `Connection` status (its accessible text stays English: UI contract).
conn-connected = Connected
conn-connecting = Connecting
conn-reconnecting = Reconnecting
conn-reconnecting-in = Reconnecting in { $seconds } s
conn-offline = Offline
conn-retry-now = Retry now
alert-dismiss = Dismiss
alert-dismiss-label = Dismiss message

# Why a session ended or could not start.
conn-unreachable-tried = Could not reach the server (tried { $tried }).
conn-unreachable-at = Could not reach the server at { $url }.
conn-server-closed = The server closed the connection.
conn-lost = Connection lost: { $what }
conn-not-connected = Not connected: { $what }
conn-check-hint = { $what } Check the address and the connection URL, and that the server is running.
conn-browser-offline = the browser went offline
conn-no-random = This browser has no secure random source; cannot sign in safely.
conn-no-address = There is no server address to connect to.
conn-no-endpoint = Could not find how to connect to the server.
# natter-core's errors (the same words as its Display).
conn-auth-wrong = Sign-in failed: wrong address or password.
conn-auth-disabled = Sign-in failed: this account is disabled.
conn-auth-saved-expired = Sign-in failed: saved sign-in expired, enter the password.
conn-auth-password-expired = Sign-in failed: the password has expired.
conn-auth-try-again = Sign-in failed: the server could not check the password right now. Try again.
conn-auth-other = Sign-in failed: wrong address or password ({ $condition })
conn-no-mechanism = The server offers no safe way to sign in over this connection (it offers: { $offered })
conn-no-mechanism-nothing = nothing
conn-stream-error = The server ended the session ({ $condition })
conn-redirect = The server redirected the connection to { $to }
conn-protocol = The server sent invalid data: { $what }
conn-transport-lost-reason = The connection to the server was lost: { $reason }
conn-transport-lost = The connection to the server was lost
conn-timeout = The server did not answer in time

# The signed-in header.
main-signed-in-as = Signed in as
main-sign-out = Sign out
main-sidebar = Contacts and rooms
presence-label = Presence
presence-chat = Free to chat
presence-online = Online
presence-away = Away
presence-xa = Not available
presence-busy = Busy
presence-offline = Offline
