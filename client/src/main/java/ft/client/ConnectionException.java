package ft.client;

/** The server could not be reached, stopped answering, or the connection dropped. */
public final class ConnectionException extends FtException {
    public static final String CONNECT_FAILED = "CONNECT_FAILED";
    public static final String CONNECTION_LOST = "CONNECTION_LOST";
    public static final String TIMEOUT = "TIMEOUT";
    /** What answered at the address is not an ft server (a web server, sshd…): retrying will not help. */
    public static final String NOT_FT_SERVER = "NOT_FT_SERVER";

    public ConnectionException(String code, String message, Throwable cause) {
        super(code, Family.CONNECTION, message, cause);
    }
}
