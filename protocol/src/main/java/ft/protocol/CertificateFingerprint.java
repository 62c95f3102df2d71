package ft.protocol;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;

/**
 * How ft names a server certificate, like OpenSSH names host keys: {@code SHA256:} and the
 * unpadded base64 SHA-256 of the certificate's DER encoding. Servers print it at start-up and
 * clients remember it, so both sides must spell it exactly alike.
 */
public final class CertificateFingerprint {
    private CertificateFingerprint() {}

    public static String of(X509Certificate certificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot fingerprint a certificate", e);
        }
    }
}
