package ft.client;

/**
 * The server broke the protocol: a malformed header, a hostile file name, a wrong offset, or
 * more or fewer body bytes than announced. Nothing it sent is kept.
 */
public final class BadResponseException extends FtException {
    public BadResponseException(String message) {
        super("BAD_RESPONSE", Family.PROTOCOL, message, null);
    }
}
