package ft.server;

import ft.protocol.CodedException;
import ft.protocol.ErrorCode;

/**
 * A request the server turns down with a stable code. The message goes to the client, so it
 * names client paths only, never the server's real directories.
 */
public final class RefusedException extends CodedException {
    public RefusedException(ErrorCode code, String message) {
        super(code, message);
    }
}
