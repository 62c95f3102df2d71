package ft.client;

/** A failure of ft itself, a bug, not of the network, the server or the disk. */
public final class InternalException extends FtException {
    public InternalException(Throwable cause) {
        super("INTERNAL", Family.INTERNAL, "internal error: " + cause, cause);
    }
}
