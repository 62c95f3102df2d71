package ft.server;

import java.io.IOException;
import java.io.Reader;
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
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS identities in PEM files: an operator's own certificate and key ({@link #read}), and the
 * self-signed identity kept in the server's state directory ({@link #loadOrCreate}), made on
 * first start and reused afterwards so that clients that remembered its fingerprint keep
 * trusting it. Bouncy Castle parses the PEM.
 *
 * <p>Every problem is an {@link IOException} whose message names the file and what is wrong
 * with it, ready to be shown to the operator.
 */
public final class PemStore {
    /** Sub-directory of the state directory that holds {@link #CERT_FILE} and {@link #KEY_FILE}. */
    public static final String DIR = "tls";

    public static final String CERT_FILE = "cert.pem";
    public static final String KEY_FILE = "key.pem";

    private static final Logger LOG = LoggerFactory.getLogger(PemStore.class);
    private static final Object CREATE_LOCK = new Object();
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> PUBLIC_READ = PosixFilePermissions.fromString("rw-r--r--");

    private PemStore() {}

    /**
     * The self-signed identity kept in {@code stateDir/tls/}: read if it is there, else made
     * now by {@link SelfSignedCertificate}. The key file is written with mode 0600 where the
     * file system has POSIX modes.
     */
    public static TlsIdentity loadOrCreate(Path stateDir) throws IOException {
        Path dir = stateDir.resolve(DIR);
        Path cert = dir.resolve(CERT_FILE);
        Path key = dir.resolve(KEY_FILE);
        synchronized (CREATE_LOCK) {
            createPrivateDirectories(dir);
            // Two servers started on one root at once must not end up with one's key and the
            // other's certificate: the check and the creation happen under a file lock.
            try (FileChannel lockFile =
                    FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                lockFile.lock(); // released when the channel closes
                // The certificate is written last, so a missing certificate means no identity was
                // ever complete (nobody can have trusted it): a lone key is replaced.
                if (Files.exists(cert)) {
                    if (!Files.exists(key)) {
                        throw new IOException(key + " is missing but " + cert + " exists; restore the key, or "
                                + "delete " + dir + " to make a new certificate (clients will then see it as changed)");
                    }
                    TlsIdentity loaded = read(cert, key);
                    warnIfNotValidNow(loaded.certificate(), cert);
                    return loaded;
                }
                TlsIdentity created = SelfSignedCertificate.generate();
                writeAtomically(key, privateKeyPem(created), OWNER_ONLY);
                writeAtomically(cert, certificatePem(created), PUBLIC_READ);
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
    public static TlsIdentity read(Path certPem, Path keyPem) throws IOException {
        TlsIdentity identity = TlsIdentity.of(readCertificates(certPem), readPrivateKey(keyPem));
        if (!identity.keyMatchesCertificate()) {
            throw new IOException("the private key in " + keyPem + " does not belong to the first certificate in "
                    + certPem + " ("
                    + identity.certificate().getSubjectX500Principal().getName() + "); the "
                    + "server's own certificate must come first, then its intermediates");
        }
        return identity;
    }

    /** The chain as PEM text, server certificate first. */
    static String certificatePem(TlsIdentity identity) {
        StringBuilder b = new StringBuilder();
        for (X509Certificate c : identity.chain()) {
            try {
                b.append(pem("CERTIFICATE", c.getEncoded()));
            } catch (CertificateException e) {
                throw new IllegalStateException("cannot encode a certificate", e);
            }
        }
        return b.toString();
    }

    /** The key as unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY}). */
    static String privateKeyPem(TlsIdentity identity) {
        return pem("PRIVATE KEY", identity.privateKey().getEncoded());
    }

    private static void warnIfNotValidNow(X509Certificate certificate, Path cert) {
        try {
            certificate.checkValidity();
        } catch (CertificateExpiredException e) {
            LOG.warn(
                    "the TLS certificate {} expired on {}; delete {} to make a new one (clients will see it as "
                            + "changed)",
                    cert,
                    certificate.getNotAfter().toInstant(),
                    cert.getParent());
        } catch (CertificateNotYetValidException e) {
            LOG.warn(
                    "the TLS certificate {} is not valid before {}; check the clock",
                    cert,
                    certificate.getNotBefore().toInstant());
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
                    case ASN1ObjectIdentifier ignored -> {} // "EC PARAMETERS" before an EC key
                    default -> {} // e.g. a certificate in the same file
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
}
