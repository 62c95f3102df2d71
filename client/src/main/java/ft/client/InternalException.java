package ft.client;

/** A failure of ft itself, a bug, not of the network, the server or the disk (exit 1). */
public final class InternalException extends FtException {
    public InternalException(Throwable cause) {
        super("INTERNAL", 1, "internal error: " + cause, cause);
    }
}
