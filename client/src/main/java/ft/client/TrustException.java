package ft.client;

/**
 * The client refused to talk to a TLS server whose certificate it cannot trust (like
 * ACCESS_DENIED: rerunning the same command will not help; a person must decide).
 *
 * <ul>
 *   <li>{@link #UNTRUSTED_SERVER}: first contact, and nobody accepted the certificate (no
 *       {@code --trust}, no terminal to ask on, or the answer was no);
 *   <li>{@link #CERTIFICATE_CHANGED}: the server shows another certificate than the one
 *       remembered in known_servers, which is what an interception would look like, even
 *       when an authority signed the new one (unless the user asked for CA trust);
 *   <li>{@link #TOKEN_WITHHELD}: there is a token to send, but the server's identity was
 *       not established before this connection (accepted just now, or only CA-signed
 *       without CA trust); the token is not sent.
 * </ul>
 */
public final class TrustException extends FtException {
    public static final String UNTRUSTED_SERVER = "UNTRUSTED_SERVER";
    public static final String CERTIFICATE_CHANGED = "CERTIFICATE_CHANGED";
    public static final String TOKEN_WITHHELD = "TOKEN_WITHHELD";

    public TrustException(String code, String message) {
        super(code, Family.TRUST, message, null);
    }
}
