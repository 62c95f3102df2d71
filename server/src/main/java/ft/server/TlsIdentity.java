package ft.server;

import java.io.IOException;
import java.io.Reader;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's TLS certificate (with its chain) and private key.
 *
 * <p>{@link #loadOrCreate} keeps a self-signed identity under the server's state directory,
 * made on first start and reused afterwards, so clients that remembered its
 * {@link #fingerprint()} keep trusting it. {@link #fromPem} reads an operator's own
 * certificate and key. Bouncy Castle is used only to build the certificate and to parse
 * PEM; keys and TLS stay with the JDK's providers (no provider is registered globally).
 *
 * <p>Every problem is an {@link IOException} whose message names the file and what is wrong
 * with it, ready to be shown to the operator.
 */
public final class TlsIdentity {
    /** Sub-directory of the state directory that holds {@link #CERT_FILE} and {@link #KEY_FILE}. */
    public static final String DIR = "tls";
    public static final String CERT_FILE = "cert.pem";
    public static final String KEY_FILE = "key.pem";
    /** How long a generated certificate is valid. */
    static final int VALID_YEARS = 10;

    private static final Logger LOG = LoggerFactory.getLogger(TlsIdentity.class);
    private static final Object CREATE_LOCK = new Object();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> PUBLIC_READ = PosixFilePermissions.fromString("rw-r--r--");

    private final List<X509Certificate> chain;
    private final PrivateKey key;
    private final String fingerprint;
    private final SSLContext serverContext;

    private TlsIdentity(List<X509Certificate> chain, PrivateKey key) throws IOException {
        this.chain = List.copyOf(chain);
        this.key = key;
        this.fingerprint = fingerprintOf(chain.getFirst());
        this.serverContext = buildContext();
    }

    /**
     * The self-signed identity kept in {@code stateDir/tls/}: read if it is there, else made
     * now (ECDSA P-256, CN=ft, SAN localhost, 127.0.0.1 and ::1, valid {@value #VALID_YEARS}
     * years). The key file is written with mode 0600 where the file system has POSIX modes.
     */
    public static TlsIdentity loadOrCreate(Path stateDir) throws IOException {
        Path dir = stateDir.resolve(DIR);
        Path cert = dir.resolve(CERT_FILE);
        Path key = dir.resolve(KEY_FILE);
        synchronized (CREATE_LOCK) {
            createPrivateDirectories(dir);
            // Two servers started on one root at once must not end up with one's key and the
            // other's certificate: the check and the creation happen under a file lock.
            try (FileChannel lockFile = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE)) {
                lockFile.lock(); // released when the channel closes
                // The certificate is written last, so a missing certificate means no identity was
                // ever complete (nobody can have trusted it): a lone key is replaced.
                if (Files.exists(cert)) {
                    if (!Files.exists(key)) {
                        throw new IOException(key + " is missing but " + cert + " exists; restore the key, or "
                                + "delete " + dir + " to make a new certificate (clients will then see it as changed)");
                    }
                    TlsIdentity loaded = fromPem(cert, key);
                    loaded.warnIfNotValidNow(cert);
                    return loaded;
                }
                TlsIdentity created = selfSigned();
                writeAtomically(key, created.privateKeyPem(), OWNER_ONLY);
                writeAtomically(cert, created.certificatePem(), PUBLIC_READ);
                LOG.info("created a self-signed TLS certificate {} ({})", cert, created.fingerprint());
                return created;
            }
        }
    }

    /**
     * Reads an operator's certificate and key. {@code certPem} holds the server's certificate
     * first, then any intermediates; {@code keyPem} an unencrypted private key, either PKCS#8
     * ({@code BEGIN PRIVATE KEY}) or the traditional {@code BEGIN EC PRIVATE KEY} /
     * {@code BEGIN RSA PRIVATE KEY}. The key must belong to the first certificate.
     */
    public static TlsIdentity fromPem(Path certPem, Path keyPem) throws IOException {
        List<X509Certificate> chain = readCertificates(certPem);
        PrivateKey key = readPrivateKey(keyPem);
        checkKeyMatches(key, chain.getFirst(), certPem, keyPem);
        return new TlsIdentity(chain, key);
    }

    /** A fresh self-signed identity, kept only in memory. */
    static TlsIdentity selfSigned() throws IOException {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            KeyPair pair = generator.generateKeyPair();
            X500Name name = new X500Name("CN=ft");
            ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
            // An hour back, so a client whose clock is a little behind does not see it as "not yet valid".
            Date notBefore = Date.from(now.minusHours(1).toInstant());
            Date notAfter = Date.from(now.plusYears(VALID_YEARS).toInstant());
            BigInteger serial = new BigInteger(127, RANDOM).setBit(126); // positive, 16 bytes, never 0
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    name, serial, notBefore, notAfter, name, pair.getPublic())
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                            new GeneralName(GeneralName.dNSName, "localhost"),
                            new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                            new GeneralName(GeneralName.iPAddress, "::1")}))
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            ext.createSubjectKeyIdentifier(pair.getPublic()));
            X509CertificateHolder holder = builder.build(
                    new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(holder);
            return new TlsIdentity(List.of(cert), pair.getPrivate());
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot create a TLS certificate: " + e.getMessage(), e);
        }
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

    /**
     * A server-side context that speaks TLS 1.3 only: every socket, server socket and engine
     * it makes has TLS 1.3 as its only enabled protocol. One context serves all connections.
     */
    public SSLContext serverContext() {
        return serverContext;
    }

    /** The fingerprint of any certificate, in the {@link #fingerprint()} format. */
    public static String fingerprintOf(X509Certificate certificate) {
        return ft.protocol.CertificateFingerprint.of(certificate);
    }

    /** The chain as PEM text, server certificate first. */
    String certificatePem() {
        StringBuilder b = new StringBuilder();
        for (X509Certificate c : chain) {
            try {
                b.append(pem("CERTIFICATE", c.getEncoded()));
            } catch (CertificateException e) {
                throw new IllegalStateException("cannot encode a certificate", e);
            }
        }
        return b.toString();
    }

    /** The key as unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY}). */
    String privateKeyPem() {
        return pem("PRIVATE KEY", key.getEncoded());
    }

    private SSLContext buildContext() throws IOException {
        try {
            char[] password = "ft".toCharArray(); // in memory only; the key store never touches disk
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("ft", key, password, chain.toArray(X509Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, password);
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(kmf.getKeyManagers(), null, RANDOM);
            return Tls13Only.restrict(context);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use this certificate and key for TLS: " + e.getMessage(), e);
        }
    }

    private void warnIfNotValidNow(Path cert) {
        try {
            certificate().checkValidity();
        } catch (CertificateExpiredException e) {
            LOG.warn("the TLS certificate {} expired on {}; delete {} to make a new one (clients will see it as "
                    + "changed)", cert, certificate().getNotAfter().toInstant(), cert.getParent());
        } catch (CertificateNotYetValidException e) {
            LOG.warn("the TLS certificate {} is not valid before {}; check the clock", cert,
                    certificate().getNotBefore().toInstant());
        }
    }

    private static List<X509Certificate> readCertificates(Path file) throws IOException {
        List<X509Certificate> certs = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(reader)) {
            Object o;
            while ((o = parser.readObject()) != null) {
                if (o instanceof X509CertificateHolder holder) {
                    certs.add(converter.getCertificate(holder));
                }
                // Anything else (a key bundled into the same file, parameters) is not a certificate.
            }
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file", e);
        } catch (CertificateException e) {
            throw new IOException(file + ": not a valid X.509 certificate: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": not a PEM certificate file: " + describe(e), e);
        }
        if (certs.isEmpty()) {
            throw new IOException(file + ": no certificate found (expected '-----BEGIN CERTIFICATE-----')");
        }
        return certs;
    }

    private static PrivateKey readPrivateKey(Path file) throws IOException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(reader)) {
            Object o;
            while ((o = parser.readObject()) != null) {
                switch (o) {
                    case PrivateKeyInfo info -> {
                        return converter.getPrivateKey(info);
                    }
                    case PEMKeyPair pair -> {
                        // Not getKeyPair(): an EC key written without its public point has none.
                        return converter.getPrivateKey(pair.getPrivateKeyInfo());
                    }
                    case PEMEncryptedKeyPair ignored -> throw encrypted(file);
                    case PKCS8EncryptedPrivateKeyInfo ignored -> throw encrypted(file);
                    case ASN1ObjectIdentifier ignored -> { } // "EC PARAMETERS" before an EC key
                    default -> { } // e.g. a certificate in the same file
                }
            }
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file", e);
        } catch (EncryptedKeyException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": not a usable PEM private key: " + describe(e), e);
        }
        throw new IOException(file + ": no private key found (expected '-----BEGIN PRIVATE KEY-----', "
                + "'-----BEGIN EC PRIVATE KEY-----' or '-----BEGIN RSA PRIVATE KEY-----')");
    }

    private static EncryptedKeyException encrypted(Path file) {
        return new EncryptedKeyException(file + ": the private key is encrypted; ft needs it unencrypted "
                + "(e.g. openssl pkey -in " + file + " -out key.pem), readable by the server only");
    }

    private static final class EncryptedKeyException extends IOException {
        EncryptedKeyException(String message) {
            super(message);
        }
    }

    /** Signs a few random bytes with the key and verifies them with the certificate. */
    private static void checkKeyMatches(PrivateKey key, X509Certificate cert, Path certPem, Path keyPem)
            throws IOException {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> null;
        };
        if (algorithm == null) {
            return; // unusual key type: TLS will tell if it does not fit
        }
        try {
            byte[] probe = new byte[32];
            RANDOM.nextBytes(probe);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(probe);
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            // A key of another type than the certificate's: the same answer as a wrong key.
        }
        throw new IOException("the private key in " + keyPem + " does not belong to the first certificate in "
                + certPem + " (" + cert.getSubjectX500Principal().getName() + "); the server's own certificate "
                + "must come first, then its intermediates");
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static boolean posix(Path dir) {
        return Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null;
    }

    /** Creates {@code dir} and missing parents; those created here are owner-only (0700). */
    private static void createPrivateDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) {
            createPrivateDirectories(parent);
        }
        try {
            if (posix(parent == null ? dir : parent)) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
            } else {
                Files.createDirectory(dir);
            }
        } catch (FileAlreadyExistsException raced) {
            if (!Files.isDirectory(dir)) {
                throw raced;
            }
        }
    }

    /** Writes to a temporary file (created with {@code mode}) beside {@code target}, then renames it. */
    private static void writeAtomically(Path target, String text, Set<PosixFilePermission> mode) throws IOException {
        Path dir = target.getParent();
        boolean posix = posix(dir);
        FileAttribute<?>[] attrs = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                : new FileAttribute<?>[0];
        Path temp = Files.createTempFile(dir, target.getFileName() + ".", ".tmp", attrs);
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                out.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
                out.force(true);
            }
            if (posix) {
                Files.setPosixFilePermissions(temp, mode);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static String describe(Exception e) {
        return e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
    }

    @Override
    public String toString() {
        return "TlsIdentity[" + certificate().getSubjectX500Principal().getName() + ", " + fingerprint
                + ", valid until " + certificate().getNotAfter().toInstant() + "]";
    }
}
