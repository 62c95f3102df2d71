package ft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The server's TLS identity in memory: its fingerprint, and whether its key fits its certificate. */
class TlsIdentityTest {
    @Test
    void fingerprintIsSha256OfTheDerInOpenSshForm() throws Exception {
        TlsIdentity id = SelfSignedCertificate.generate();
        byte[] digest =
                MessageDigest.getInstance("SHA-256").digest(id.certificate().getEncoded());
        assertEquals("SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest), id.fingerprint());
        assertTrue(id.fingerprint().matches("SHA256:[A-Za-z0-9+/]{43}"), id.fingerprint());
    }

    @Test
    void aKeyMatchesOnlyItsOwnCertificate() throws Exception {
        TlsIdentity a = SelfSignedCertificate.generate();
        TlsIdentity b = SelfSignedCertificate.generate();
        assertTrue(a.keyMatchesCertificate());
        TlsIdentity mixed = TlsIdentity.of(b.chain(), a.privateKey());
        assertFalse(mixed.keyMatchesCertificate());
        assertEquals(b.fingerprint(), mixed.fingerprint(), "the fingerprint is the certificate's");
    }

    @Test
    void anIdentityNeedsACertificate() throws Exception {
        TlsIdentity a = SelfSignedCertificate.generate();
        assertThrows(IllegalArgumentException.class, () -> TlsIdentity.of(List.of(), a.privateKey()));
    }
}
