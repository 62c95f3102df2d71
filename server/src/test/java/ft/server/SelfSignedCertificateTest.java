package ft.server;

import static ft.server.TlsTesting.ecKeyPair;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The certificate a server makes for itself when the operator brings none. */
class SelfSignedCertificateTest {
    @Test
    void generatedCertificateIsP256WithTheLoopbackNamesAndValidForTenYears() throws Exception {
        TlsIdentity id = SelfSignedCertificate.generate();
        X509Certificate cert = id.certificate();
        cert.checkValidity();
        assertEquals(1, id.chain().size());
        assertEquals("CN=ft", cert.getSubjectX500Principal().getName());
        assertEquals(cert.getSubjectX500Principal(), cert.getIssuerX500Principal());
        cert.verify(cert.getPublicKey()); // self-signed
        assertEquals("SHA256withECDSA", cert.getSigAlgName());
        assertTrue(cert.getSerialNumber().signum() > 0);

        ECPublicKey pub = (ECPublicKey) cert.getPublicKey();
        ECPublicKey p256 = (ECPublicKey) ecKeyPair().getPublic();
        assertEquals(p256.getParams().getCurve(), pub.getParams().getCurve());
        assertEquals(p256.getParams().getOrder(), pub.getParams().getOrder());
        assertEquals(256, pub.getParams().getCurve().getField().getFieldSize());

        List<String> sans = new ArrayList<>();
        for (List<?> san : cert.getSubjectAlternativeNames()) {
            sans.add(san.get(0) + "=" + san.get(1));
        }
        assertEquals(List.of("2=localhost", "7=127.0.0.1", "7=0:0:0:0:0:0:0:1"), sans);

        Instant now = Instant.now();
        Instant notAfter = cert.getNotAfter().toInstant();
        assertEquals(10, SelfSignedCertificate.VALID_YEARS);
        assertTrue(notAfter.isAfter(now.plus(3650, ChronoUnit.DAYS)), "valid ten years: " + notAfter);
        assertTrue(notAfter.isBefore(now.plus(3654, ChronoUnit.DAYS)), "not much longer: " + notAfter);
        assertFalse(cert.getNotBefore().toInstant().isAfter(now));
        assertEquals(-1, cert.getBasicConstraints(), "not a CA");
    }

    @Test
    void everyCertificateIsNew() throws Exception {
        TlsIdentity a = SelfSignedCertificate.generate();
        TlsIdentity b = SelfSignedCertificate.generate();
        assertNotEquals(a.fingerprint(), b.fingerprint());
        assertNotEquals(a.certificate().getSerialNumber(), b.certificate().getSerialNumber());
        assertTrue(a.keyMatchesCertificate());
    }
}
