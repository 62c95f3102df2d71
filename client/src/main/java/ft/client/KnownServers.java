package ft.client;

import ft.protocol.HostPort;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The servers whose self-signed certificates this user has trusted, like OpenSSH's
 * known_hosts: one {@code host:port SHA256:fingerprint} line per server, {@code #} comments
 * and blank lines allowed. Lines are only ever appended; to forget a server, delete its line.
 *
 * <p>The host is compared case-insensitively and as written: {@code localhost:7070} and
 * {@code 127.0.0.1:7070} are different entries, as they are for ssh.
 */
public final class KnownServers {
    public static final String FILE_NAME = "known_servers";
    private static final Pattern FINGERPRINT = Pattern.compile("SHA256:[A-Za-z0-9+/]{43}");

    private final Path file;

    public KnownServers(Path file) {
        this.file = file;
    }

    /** {@code $XDG_CONFIG_HOME/ft/known_servers}, else {@code ~/.config/ft/known_servers}. */
    public static Path defaultLocation(Map<String, String> env) {
        return XdgDirs.config(env).resolve(FILE_NAME);
    }

    public Path file() {
        return file;
    }

    /** Whether {@code text} is a fingerprint in the {@code SHA256:} + base64 (no padding) form. */
    public static boolean isFingerprint(String text) {
        return text != null && FINGERPRINT.matcher(text).matches();
    }

    /** The first fingerprint remembered for {@code server}. */
    public Optional<String> lookup(HostPort server) throws IOException {
        return fingerprints(server).stream().findFirst();
    }

    /** Every fingerprint remembered for {@code server}, in file order (usually one). */
    public List<String> fingerprints(HostPort server) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        String key = key(server);
        List<String> found = new ArrayList<>();
        for (String line : lines) {
            String[] fields = fields(line);
            if (fields != null && fields[0].equals(key) && !found.contains(fields[1])) {
                found.add(fields[1]);
            }
        }
        return found;
    }

    /**
     * Appends {@code server}'s fingerprint unless that very line is already there. The
     * directories are created if missing and a new file is readable by its owner only (0600).
     * Concurrent clients each append whole lines, one at a time (under a file lock).
     */
    public void remember(HostPort server, String fingerprint) throws IOException {
        if (!isFingerprint(fingerprint)) {
            throw new IllegalArgumentException("'" + fingerprint + "' is not a SHA256: fingerprint");
        }
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        boolean posix = Files.getFileAttributeView(parent, PosixFileAttributeView.class) != null;
        FileAttribute<?>[] attrs = posix
                ? new FileAttribute<?>[] {
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
                }
                : new FileAttribute<?>[0];
        Set<OpenOption> options = Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try (FileChannel channel = FileChannel.open(file, options, attrs)) {
            channel.lock(); // released when the channel closes
            long size = channel.size();
            if (size > Integer.MAX_VALUE - 1) {
                throw new IOException(file + " is too large to be a known_servers file");
            }
            ByteBuffer existing = ByteBuffer.allocate((int) size);
            while (existing.hasRemaining() && channel.read(existing, existing.position()) >= 0) {
                // A positional read fills the buffer from where it stands; the buffer tracks progress.
            }
            String text = new String(existing.array(), 0, existing.position(), StandardCharsets.UTF_8);
            String key = key(server);
            for (String line : text.split("\n", -1)) {
                String[] fields = fields(line);
                if (fields != null && fields[0].equals(key) && fields[1].equals(fingerprint)) {
                    return;
                }
            }
            String entry = (text.isEmpty() || text.endsWith("\n") ? "" : "\n") + key + " " + fingerprint + "\n";
            ByteBuffer out = ByteBuffer.wrap(entry.getBytes(StandardCharsets.UTF_8));
            long at = size;
            while (out.hasRemaining()) {
                at += channel.write(out, at);
            }
            channel.force(false);
        }
    }

    /** How a server is written in the file: {@code host:port}, IPv6 in brackets, lower case. */
    static String key(HostPort server) {
        return new HostPort(server.host().toLowerCase(Locale.ROOT), server.port()).toString();
    }

    /** {key, fingerprint} of a well-formed line, or null for comments, blanks and junk. */
    private static String[] fields(String line) {
        String s = line.strip();
        if (s.isEmpty() || s.startsWith("#")) {
            return null;
        }
        String[] parts = s.split("\\s+");
        if (parts.length < 2 || !isFingerprint(parts[1])) {
            return null;
        }
        try {
            return new String[] {key(HostPort.parse(parts[0])), parts[1]};
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
