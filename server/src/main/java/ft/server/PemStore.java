package ft.server;

import ft.transfer.OwnerOnly;
import ft.transfer.UnsafeStateException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.security.PrivateKey;
import java.security.SecureRandom;
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
    private static final SecureRandom RANDOM = new SecureRandom();

    private PemStore() {}

    /**
     * The self-signed identity kept in {@code stateDir/tls/}: read if it is there, else made
     * now by {@link SelfSignedCertificate} and written 0600.
     *
     * <p>{@code stateDir} and {@code stateDir/tls} are created 0700 if missing and must be
     * directories (not symlinks) owned by the server's user with no group or other permission;
     * the key file must be a regular file (not a symlink) owned by the server's user with no
     * group or other permission. Anything else is refused with an {@link UnsafeStateException}
     * that says how to fix it: whoever can write the served root could otherwise make the
     * server load a key of their choosing, or read its key. Each directory is opened without
     * following links and checked as opened, and everything in it is reached relative to that
     * open directory, so swapping {@code .ft} for a link after the check changes nothing.
     */
    public static TlsIdentity loadOrCreate(Path stateDir) throws IOException {
        Path state = stateDir.toAbsolutePath();
        Path parent = state.getParent() == null ? state.getRoot() : state.getParent();
        Path shownDir = stateDir.resolve(DIR);
        Path cert = shownDir.resolve(CERT_FILE);
        Path key = shownDir.resolve(KEY_FILE);
        synchronized (CREATE_LOCK) {
            Files.createDirectories(parent); // the served root: the operator's path, links and all
            try (SecureDirectoryStream<Path> above = secureStream(parent);
                    SecureDirectoryStream<Path> stateStream =
                            privateDirectory(above, parent, state.getFileName().toString(), stateDir);
                    SecureDirectoryStream<Path> dir = privateDirectory(stateStream, stateDir, DIR, shownDir)) {
                // Two servers started on one root at once must not end up with one's key and the
                // other's certificate: the check and the creation happen under a file lock.
                try (FileChannel lockFile = fileChannel(
                        dir.newByteChannel(
                                Path.of(".lock"),
                                Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                                PosixFilePermissions.asFileAttribute(OWNER_ONLY)),
                        shownDir.resolve(".lock"))) {
                    lockFile.lock(); // released when the channel closes
                    // The certificate is written last, so a missing certificate means no identity
                    // was ever complete (nobody can have trusted it): a lone key is replaced.
                    if (exists(dir, CERT_FILE)) {
                        if (!exists(dir, KEY_FILE)) {
                            throw new IOException(key + " is missing but " + cert + " exists; restore the key, or "
                                    + "delete " + shownDir + " to make a new certificate (clients will then see it as "
                                    + "changed)");
                        }
                        checkStateKey(dir, key);
                        TlsIdentity loaded = TlsIdentity.of(
                                readCertificates(cert, () -> readerOf(dir, CERT_FILE, cert)),
                                readPrivateKey(key, () -> readerOf(dir, KEY_FILE, key)));
                        if (!loaded.keyMatchesCertificate()) {
                            throw new IOException("the private key in " + key + " does not belong to the certificate "
                                    + cert + "; delete " + shownDir + " to make a new certificate (clients will then "
                                    + "see it as changed)");
                        }
                        warnIfNotValidNow(loaded.certificate(), cert);
                        return loaded;
                    }
                    TlsIdentity created = SelfSignedCertificate.generate();
                    writeAtomically(dir, KEY_FILE, privateKeyPem(created), OWNER_ONLY, key);
                    writeAtomically(dir, CERT_FILE, certificatePem(created), PUBLIC_READ, cert);
                    LOG.info("created a self-signed TLS certificate {} ({})", cert, created.fingerprint());
                    return created;
                }
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
        List<X509Certificate> chain = readCertificates(certPem, () -> readerOf(certPem));
        checkOperatorKey(keyPem);
        TlsIdentity identity = TlsIdentity.of(chain, readPrivateKey(keyPem, () -> readerOf(keyPem)));
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

    /** Opens a PEM file for reading; {@link NoSuchFileException} when it is not there. */
    @FunctionalInterface
    private interface PemSource {
        Reader open() throws IOException;
    }

    private static List<X509Certificate> readCertificates(Path file, PemSource source) throws IOException {
        List<X509Certificate> certs = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (Reader reader = source.open();
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
        } catch (UnsafeStateException e) {
            throw e;
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

    private static PrivateKey readPrivateKey(Path file, PemSource source) throws IOException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (Reader reader = source.open();
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
        } catch (EncryptedKeyException | UnsafeStateException e) {
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

    private static Reader readerOf(Path file) throws IOException {
        return Files.newBufferedReader(file, StandardCharsets.US_ASCII);
    }

    /** {@code name} in the open directory {@code dir}, opened without following a link. */
    private static Reader readerOf(SecureDirectoryStream<Path> dir, String name, Path shown) throws IOException {
        SeekableByteChannel channel;
        try {
            channel = dir.newByteChannel(Path.of(name), Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            // ELOOP from NOFOLLOW_LINKS does not always arrive as a FileSystemException: look.
            if (isLink(dir, name)) {
                throw symlink(shown);
            }
            throw e;
        }
        return new BufferedReader(Channels.newReader(channel, StandardCharsets.US_ASCII));
    }

    private static SecureDirectoryStream<Path> secureStream(Path directory) throws IOException {
        DirectoryStream<Path> stream = Files.newDirectoryStream(directory);
        if (stream instanceof SecureDirectoryStream<Path> secure) {
            return secure;
        }
        stream.close();
        throw new IOException("cannot keep a TLS identity under " + directory + ": this file system cannot open "
                + "files relative to an open directory (ft needs Linux); use --cert and --key");
    }

    /**
     * The directory {@code name} in {@code parent}, made 0700 if missing, opened without
     * following a link and checked as opened: owned by the server's user, nothing for group or
     * others.
     */
    private static SecureDirectoryStream<Path> privateDirectory(
            SecureDirectoryStream<Path> parent, Path parentPath, String name, Path shown) throws IOException {
        boolean created = false;
        if (!exists(parent, name)) {
            try {
                // By path: a SecureDirectoryStream has no mkdirat. What is checked below is what
                // is opened through the parent's handle, so a swap meanwhile only gets refused.
                Files.createDirectory(parentPath.resolve(name), PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
                created = true;
            } catch (FileAlreadyExistsException raced) {
                // Someone made it meanwhile: checked like any existing one.
            }
        }
        SecureDirectoryStream<Path> opened;
        try {
            opened = (SecureDirectoryStream<Path>) parent.newDirectoryStream(Path.of(name), LinkOption.NOFOLLOW_LINKS);
        } catch (NotDirectoryException e) {
            throw new UnsafeStateException(shown + " is not a directory; the server keeps its state there."
                    + " Move it away and start again.");
        } catch (IOException e) {
            if (isLink(parent, name)) {
                throw symlink(shown);
            }
            throw e;
        }
        try {
            PosixFileAttributeView view = opened.getFileAttributeView(PosixFileAttributeView.class);
            if (created) {
                // The umask may have taken bits away; the mode must be exactly this, not less.
                view.setPermissions(OWNER_ONLY_DIR);
            }
            PosixFileAttributes attrs = view.readAttributes();
            UserPrincipal self = OwnerOnly.processUser();
            if (!attrs.owner().equals(self)) {
                throw new UnsafeStateException(shown + " belongs to "
                        + attrs.owner().getName() + ", not to the "
                        + "server's user (" + self.getName() + "); someone else could change the server's state. Fix: "
                        + "chown -R " + self.getName() + " " + shown);
            }
            if (OwnerOnly.grantsGroupOrOther(attrs.permissions())) {
                throw new UnsafeStateException(shown + " has mode " + modeOf(attrs.permissions()) + "; the server's "
                        + "state must be private to its user. Fix: chmod -R go-rwx " + shown);
            }
            return opened;
        } catch (IOException | RuntimeException e) {
            opened.close();
            throw e;
        }
    }

    /**
     * Refuses the self-signed key in the open {@code .ft/tls} unless it is a regular file (not a
     * link) of the server's user that grants nothing to group or others.
     */
    private static void checkStateKey(SecureDirectoryStream<Path> dir, Path shown) throws IOException {
        PosixFileAttributes attrs = dir.getFileAttributeView(
                        Path.of(KEY_FILE), PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .readAttributes();
        if (attrs.isSymbolicLink()) {
            throw symlink(shown);
        }
        if (!attrs.isRegularFile()) {
            throw new UnsafeStateException(shown + " is not a regular file; delete " + shown.getParent()
                    + " to make a new certificate (clients will then see it as changed)");
        }
        checkKeyOwnerAndMode(attrs, shown, false);
    }

    /** Refuses an operator's key that others could read or that another user owns (links followed). */
    private static void checkOperatorKey(Path key) throws IOException {
        PosixFileAttributes attrs;
        try {
            attrs = Files.readAttributes(key, PosixFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new IOException(key + ": no such file", e);
        } catch (UnsupportedOperationException noPosix) {
            return; // no owners or modes to check on this file system
        }
        checkKeyOwnerAndMode(attrs, key, true);
    }

    private static void checkKeyOwnerAndMode(PosixFileAttributes attrs, Path shown, boolean rootMayOwn)
            throws IOException {
        UserPrincipal self = OwnerOnly.processUser();
        UserPrincipal owner = attrs.owner();
        if (!owner.equals(self) && !(rootMayOwn && owner.equals(rootUser(shown)))) {
            throw new UnsafeStateException("the private key " + shown + " belongs to " + owner.getName() + ", not to "
                    + "the server's user (" + self.getName() + "); someone else could replace it. Fix: chown "
                    + self.getName() + " " + shown);
        }
        if (OwnerOnly.grantsGroupOrOther(attrs.permissions())) {
            throw new UnsafeStateException("permissions " + modeOf(attrs.permissions()) + " for the private key "
                    + shown + " are too open: it must be readable by the server's user only. Fix: chmod 600 " + shown);
        }
    }

    private static UserPrincipal rootUser(Path near) throws IOException {
        try {
            return near.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("0");
        } catch (UserPrincipalNotFoundException e) {
            return OwnerOnly.processUser();
        }
    }

    private static boolean exists(SecureDirectoryStream<Path> dir, String name) throws IOException {
        try {
            dir.getFileAttributeView(Path.of(name), BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .readAttributes();
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private static boolean isLink(SecureDirectoryStream<Path> dir, String name) {
        try {
            return dir.getFileAttributeView(Path.of(name), BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .readAttributes()
                    .isSymbolicLink();
        } catch (IOException e) {
            return false;
        }
    }

    private static UnsafeStateException symlink(Path shown) {
        return new UnsafeStateException(shown + " is a symlink; the server keeps its TLS identity there and will not "
                + "follow a link to it. Remove it (rm " + shown + ") and start again.");
    }

    private static String modeOf(Set<PosixFilePermission> permissions) {
        return String.format("%04o", OwnerOnly.mode(permissions));
    }

    private static FileChannel fileChannel(SeekableByteChannel channel, Path shown) throws IOException {
        if (channel instanceof FileChannel file) {
            return file;
        }
        channel.close();
        throw new IOException(shown + ": cannot lock a file on this file system");
    }

    /**
     * Writes {@code name} in the open {@code dir}: a new temporary file (created 0600, never
     * through a link), forced, given {@code mode}, then renamed over {@code name}.
     */
    private static void writeAtomically(
            SecureDirectoryStream<Path> dir, String name, String text, Set<PosixFilePermission> mode, Path shown)
            throws IOException {
        Path temp = Path.of(name + "." + Long.toHexString(RANDOM.nextLong()) + ".tmp");
        try {
            try (SeekableByteChannel out = dir.newByteChannel(
                    temp,
                    Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                    PosixFilePermissions.asFileAttribute(OWNER_ONLY))) {
                ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                if (out instanceof FileChannel file) {
                    file.force(true);
                }
            }
            dir.getFileAttributeView(temp, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setPermissions(mode);
            dir.move(temp, dir, Path.of(name));
        } catch (IOException e) {
            throw new IOException("cannot write " + shown + ": " + describe(e), e);
        } finally {
            try {
                dir.deleteFile(temp);
            } catch (NoSuchFileException renamed) {
                // The normal case: it is the target now.
            }
        }
    }

    private static String describe(Exception e) {
        return e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
    }
}
