package ft.server;

import static ft.server.TlsTesting.LOOPBACK;
import static ft.server.TlsTesting.WAIT;
import static ft.server.TlsTesting.clientTrusting;
import static ft.server.TlsTesting.ecKeyPair;
import static ft.server.TlsTesting.echo;
import static ft.server.TlsTesting.serveOnce;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS identities in PEM files: the self-signed one kept under .ft/tls, and an operator's own. */
class PemStoreTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;

    @Test
    void createdOnceThenReused() throws Exception {
        Path state = dir.resolve(".ft");
        TlsIdentity first = PemStore.loadOrCreate(state);
        Path cert = state.resolve("tls/cert.pem");
        Path key = state.resolve("tls/key.pem");
        assertTrue(Files.isRegularFile(cert));
        assertTrue(Files.isRegularFile(key));
        String certText = Files.readString(cert);
        String keyText = Files.readString(key);

        TlsIdentity second = PemStore.loadOrCreate(state);
        assertEquals(first.fingerprint(), second.fingerprint());
        assertEquals(first.certificate(), second.certificate());
        assertArrayEquals(first.privateKey().getEncoded(), second.privateKey().getEncoded());
        assertEquals(certText, Files.readString(cert), "reusing must not rewrite the certificate");
        assertEquals(keyText, Files.readString(key));
        try (var listing = Files.list(state.resolve("tls"))) {
            assertTrue(listing.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary left");
        }
    }

    @Test
    void anotherStateDirectoryGetsAnotherCertificate() throws Exception {
        TlsIdentity a = PemStore.loadOrCreate(dir.resolve("a"));
        TlsIdentity b = PemStore.loadOrCreate(dir.resolve("b"));
        assertNotEquals(a.fingerprint(), b.fingerprint());
        assertNotEquals(a.certificate().getSerialNumber(), b.certificate().getSerialNumber());
    }

    @Test
    void keyFileIsOwnerOnlyAndPkcs8() throws Exception {
        assumeTrue(Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null, "POSIX file modes");
        Path state = dir.resolve(".ft");
        PemStore.loadOrCreate(state);
        Path key = state.resolve("tls/key.pem");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("tls"))));
        assertTrue(Files.readString(key).startsWith("-----BEGIN PRIVATE KEY-----\n"));
        assertTrue(Files.readString(state.resolve("tls/cert.pem")).startsWith("-----BEGIN CERTIFICATE-----\n"));
    }

    @Test
    void aCertificateWithoutItsKeyIsAnErrorNotSilentlyReplaced() throws Exception {
        Path state = dir.resolve(".ft");
        PemStore.loadOrCreate(state);
        Files.delete(state.resolve("tls/key.pem"));
        IOException e = assertThrows(IOException.class, () -> PemStore.loadOrCreate(state));
        assertTrue(e.getMessage().contains("key.pem is missing"), e.getMessage());
    }

    @Test
    void aKeyWithoutItsCertificateIsReplaced() throws Exception {
        // The certificate is written last: a lone key is a creation that never finished.
        Path state = dir.resolve(".ft");
        TlsIdentity first = PemStore.loadOrCreate(state);
        Files.delete(state.resolve("tls/cert.pem"));
        TlsIdentity second = PemStore.loadOrCreate(state);
        assertNotEquals(first.fingerprint(), second.fingerprint());
        assertEquals(second.fingerprint(), PemStore.loadOrCreate(state).fingerprint());
    }

    @Test
    void readReadsAnRsaKeyInTraditionalFormAndAChain() throws Exception {
        Pki pki = new Pki("RSA");
        Path cert = write("cert.pem", pem(pki.leaf) + pem(pki.intermediate));
        Path key = write("key.pem", pem(pki.leafKey.getPrivate())); // BEGIN RSA PRIVATE KEY
        assertTrue(Files.readString(key).startsWith("-----BEGIN RSA PRIVATE KEY-----"));

        TlsIdentity id = PemStore.read(cert, key);
        assertEquals(List.of(pki.leaf, pki.intermediate), id.chain());
        assertEquals(pki.leaf, id.certificate());
        assertEquals(TlsIdentity.fingerprintOf(pki.leaf), id.fingerprint());
        assertNotEquals(TlsIdentity.fingerprintOf(pki.intermediate), id.fingerprint());

        // The server sends the intermediate: a client that trusts only the root accepts it.
        try (ServerSocket listener = new ServerSocket(0, 10, LOOPBACK)) {
            Future<String> served = serveOnce(listener, id);
            SSLContext client = clientTrusting(pki.root);
            try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket(LOOPBACK, listener.getLocalPort())) {
                var params = s.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                s.setSSLParameters(params);
                assertEquals("TLSv1.3", echo(s));
            }
            assertEquals("TLSv1.3", served.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        }
    }

    @Test
    void readReadsPkcs8AndTraditionalEcKeys() throws Exception {
        Pki pki = new Pki("EC");
        Path cert = write("cert.pem", pem(pki.leaf));
        String pkcs8 = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'})
                        .encodeToString(pki.leafKey.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        TlsIdentity a = PemStore.read(cert, write("pkcs8.pem", pkcs8));
        // `openssl ecparam -genkey` writes EC PARAMETERS before the key: skipped.
        String traditional = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
                + traditionalEcPem(pki.leafKey);
        TlsIdentity b = PemStore.read(cert, write("ec.pem", traditional));
        assertEquals(a.fingerprint(), b.fingerprint());
        assertEquals(
                ((java.security.interfaces.ECPrivateKey) a.privateKey()).getS(),
                ((java.security.interfaces.ECPrivateKey) b.privateKey()).getS());
    }

    @Test
    void readRefusesAKeyOfAnotherCertificate() throws Exception {
        Pki pki = new Pki("EC");
        Path cert = write("cert.pem", pem(pki.intermediate) + pem(pki.leaf)); // wrong order
        Path key = write("key.pem", traditionalEcPem(pki.leafKey));
        IOException e = assertThrows(IOException.class, () -> PemStore.read(cert, key));
        assertTrue(e.getMessage().contains("does not belong to the first certificate"), e.getMessage());
    }

    @Test
    void readExplainsEncryptedKeysMissingFilesAndJunk() throws Exception {
        Pki pki = new Pki("EC");
        Path cert = write("cert.pem", pem(pki.leaf));
        StringWriter encrypted = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(encrypted)) {
            w.writeObject(
                    pki.leafKey.getPrivate(),
                    new JcePEMEncryptorBuilder("AES-256-CBC")
                            .setProvider(new BouncyCastleProvider())
                            .build("pw".toCharArray()));
        }
        Path key = write("enc.pem", encrypted.toString());
        IOException e = assertThrows(IOException.class, () -> PemStore.read(cert, key));
        assertTrue(e.getMessage().contains("encrypted"), e.getMessage());

        Path missing = dir.resolve("nope.pem");
        e = assertThrows(IOException.class, () -> PemStore.read(missing, key));
        assertTrue(e.getMessage().contains("nope.pem: no such file"), e.getMessage());

        Path junk = write("junk.pem", "hello\n");
        e = assertThrows(IOException.class, () -> PemStore.read(junk, key));
        assertTrue(e.getMessage().contains("no certificate found"), e.getMessage());
        e = assertThrows(IOException.class, () -> PemStore.read(cert, junk));
        assertTrue(e.getMessage().contains("no private key found"), e.getMessage());
        e = assertThrows(IOException.class, () -> PemStore.read(cert, cert));
        assertTrue(e.getMessage().contains("no private key found"), e.getMessage());
    }

    /** Owner-only, as a key file must be (PemStore refuses keys others can read). */
    private Path write(String name, String text) throws IOException {
        Path file = Files.writeString(dir.resolve(name), text, StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    private static String pem(Object o) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(o);
        }
        return out.toString();
    }

    /** An EC key as {@code openssl ecparam -genkey} writes it: RFC 5915 with curve and public point. */
    private static String traditionalEcPem(KeyPair pair) throws IOException {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(pair.getPrivate().getEncoded());
        ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
        SubjectPublicKeyInfo pub =
                SubjectPublicKeyInfo.getInstance(pair.getPublic().getEncoded());
        ECPrivateKey full = new ECPrivateKey(
                256,
                inner.getKey(),
                new DERBitString(pub.getPublicKeyData().getBytes()),
                info.getPrivateKeyAlgorithm().getParameters());
        StringWriter out = new StringWriter();
        try (PemWriter w = new PemWriter(out)) {
            w.writeObject(new PemObject("EC PRIVATE KEY", full.getEncoded()));
        }
        return out.toString();
    }

    private static KeyPair keyPair(String algorithm) throws Exception {
        if (algorithm.equals("EC")) {
            return ecKeyPair();
        }
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    /** A root CA, an intermediate CA and a server certificate (for 127.0.0.1 and localhost) it signs. */
    private static final class Pki {
        final X509Certificate root;
        final X509Certificate intermediate;
        final X509Certificate leaf;
        final KeyPair leafKey;

        /** {@code leafAlgorithm} for the server's key; the CAs use P-256 (RSA key generation is slow). */
        Pki(String leafAlgorithm) throws Exception {
            KeyPair rootKey = ecKeyPair();
            KeyPair intermediateKey = ecKeyPair();
            leafKey = keyPair(leafAlgorithm);
            root = issue("CN=Test Root", rootKey, "CN=Test Root", rootKey, true);
            intermediate = issue("CN=Test Intermediate", intermediateKey, "CN=Test Root", rootKey, true);
            leaf = issue("CN=ft test server", leafKey, "CN=Test Intermediate", intermediateKey, false);
        }

        private static X509Certificate issue(
                String subject, KeyPair subjectKey, String issuer, KeyPair issuerKey, boolean ca) throws Exception {
            Instant now = Instant.now();
            var builder = new JcaX509v3CertificateBuilder(
                            new X500Name(issuer),
                            new BigInteger(64, RANDOM).setBit(63),
                            Date.from(now.minus(1, ChronoUnit.HOURS)),
                            Date.from(now.plus(1, ChronoUnit.DAYS)),
                            new X500Name(subject),
                            subjectKey.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            if (ca) {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.dNSName, "localhost"),
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1")
                }));
            }
            String signature =
                    issuerKey.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            PrivateKey signer = issuerKey.getPrivate();
            return new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder(signature).build(signer)));
        }
    }
}
