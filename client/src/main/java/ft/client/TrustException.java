package ft.client;

/**
 * The client refused to talk to a TLS server whose certificate it cannot trust (like
 * ACCESS_DENIED: rerunning the same command will not help; a person must decide).
 *
 * <ul>
 *   <li>{@link #UNTRUSTED_SERVER}: first contact, and nobody accepted the certificate (no
 *       {@code --trust}, no terminal to ask on, or the answer was no);
 *   <li>{@link #CERTIFICATE_CHANGED}: the server shows another certificate than the one
 *       remembered in known_servers, which is what an interception would look like.
 * </ul>
 */
public final class TrustException extends FtException {
    public static final String UNTRUSTED_SERVER = "UNTRUSTED_SERVER";
    public static final String CERTIFICATE_CHANGED = "CERTIFICATE_CHANGED";

    public TrustException(String code, String message) {
        super(code, Family.TRUST, message, null);
    }
}
