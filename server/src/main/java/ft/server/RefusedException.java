package ft.server;

import ft.protocol.ErrorCode;

/**
 * A request the server turns down with a stable code. The message goes to the client, so it
 * names client paths only, never the server's real directories.
 */
public final class RefusedException extends Exception {
    private final ErrorCode code;

    public RefusedException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
