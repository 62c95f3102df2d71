package ft.server;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The server's TLS identity in memory: its certificate chain and private key, and the
 * fingerprint clients remember.
 *
 * <p>Where one comes from is another class's job: {@link PemStore} reads an operator's PEM files
 * or keeps a self-signed one under the server's state directory, {@link SelfSignedCertificate}
 * makes one, and {@link TlsServerSockets} serves connections with it.
 */
public final class TlsIdentity {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final List<X509Certificate> chain;
    private final PrivateKey key;
    private final String fingerprint;

    private TlsIdentity(List<X509Certificate> chain, PrivateKey key) {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a TLS identity needs at least its own certificate");
        }
        this.chain = List.copyOf(chain);
        this.key = key;
        this.fingerprint = fingerprintOf(chain.getFirst());
    }

    /**
     * The identity of {@code key} and {@code chain} (the server's certificate first, then its
     * intermediates). Whether the key belongs to the certificate is not checked here; see
     * {@link #keyMatchesCertificate()}.
     */
    public static TlsIdentity of(List<X509Certificate> chain, PrivateKey key) {
        return new TlsIdentity(chain, key);
    }

    /** The server's own certificate (the first of the chain). */
    public X509Certificate certificate() {
        return chain.getFirst();
    }

    /** The server's certificate followed by its intermediates, as read or made. */
    public List<X509Certificate> chain() {
        return chain;
    }

    PrivateKey privateKey() {
        return key;
    }

    /**
     * {@code SHA256:} and the unpadded base64 of the SHA-256 of the server certificate's DER
     * encoding, as OpenSSH shows key fingerprints; what clients remember in known_servers.
     */
    public String fingerprint() {
        return fingerprint;
    }

    /** The fingerprint of any certificate, in the {@link #fingerprint()} format. */
    public static String fingerprintOf(X509Certificate certificate) {
        return ft.protocol.CertificateFingerprint.of(certificate);
    }

    /**
     * Whether the private key belongs to the first certificate: a few random bytes signed with
     * the key verify with the certificate's public key. A key of an unusual type, which this
     * cannot check, counts as matching (the TLS handshake will tell).
     */
    public boolean keyMatchesCertificate() {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> null;
        };
        if (algorithm == null) {
            return true;
        }
        try {
            byte[] probe = new byte[32];
            RANDOM.nextBytes(probe);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate().getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // a key of another type than the certificate's: the same answer as a wrong key
        }
    }

    @Override
    public String toString() {
        return "TlsIdentity[" + certificate().getSubjectX500Principal().getName() + ", " + fingerprint
                + ", valid until " + certificate().getNotAfter().toInstant() + "]";
    }
}
