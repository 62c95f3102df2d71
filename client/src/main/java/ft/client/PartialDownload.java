package ft.client;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The files a download keeps beside its target until it is verified: {@code .NAME.ftpart}
 * with the bytes so far and {@code .NAME.ftpart.meta} saying which server file they are from
 * (for a name too long for that, {@code .ft-HASH.ftpart}: see {@link #partialBase}).
 *
 * <p>A body of at least {@link #META_FIRST_BYTES} has its meta written before its first byte,
 * so that even a killed client resumes it. A smaller one gets a meta only when it is cut
 * short: most arrive whole, and writing, renaming and deleting the meta would cost more than
 * the body. A client killed mid-body then leaves a partial without meta, which the next run
 * does not trust and fetches whole: at most that many bytes again.
 */
final class PartialDownload {
    /** Bodies at least this long record their meta up front; smaller ones only when interrupted. */
    static final long META_FIRST_BYTES = 1L << 20;

    /** Which remote file, as the server described it when the partial was started. */
    record Meta(String server, String path, long size, String md5) {}

    /** Jackson's streaming API only: databind's set-up cost more than a small download. */
    private static final JsonFactory JSON = new JsonFactory();

    final Path data;
    final Path meta;

    PartialDownload(Path target) {
        String base = partialBase(target.getFileName().toString());
        this.data = target.resolveSibling(base);
        this.meta = target.resolveSibling(base + ".meta");
    }

    /** The longest name made from the partial's: {@code BASE.meta.tmp} while the meta is rewritten. */
    private static final int LONGEST_SUFFIX_BYTES = ".meta.tmp".length();
    /** What file systems allow in one name (ext4, xfs, btrfs, tmpfs: 255 bytes). */
    private static final int MAX_NAME_BYTES = 255;

    /**
     * {@code .NAME.ftpart}; for a name too long to take the prefix and suffixes within
     * {@link #MAX_NAME_BYTES}, {@code .ft-<SHA-256 of the name>.ftpart} (the same for every run,
     * so a rerun still finds it; its meta says which file it is).
     */
    static String partialBase(String name) {
        String plain = "." + name + ".ftpart";
        if (plain.getBytes(StandardCharsets.UTF_8).length + LONGEST_SUFFIX_BYTES <= MAX_NAME_BYTES) {
            return plain;
        }
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        return ".ft-" + HexFormat.of().formatHex(digest, 0, 16) + ".ftpart";
    }

    /** The recorded meta, or null when there is no usable partial. */
    Meta read() {
        if (!Files.isRegularFile(data) || !Files.isRegularFile(meta)) {
            return null;
        }
        try (InputStream in = Files.newInputStream(meta);
                JsonParser p = JSON.createParser(in)) {
            return parse(p);
        } catch (IOException | RuntimeException corrupt) {
            return null; // a meta cut short by a crash: the partial cannot be trusted, start over
        }
    }

    /** The one object {@link #write} writes: its four members, each at most once, nothing else. */
    private static Meta parse(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        String server = null;
        String path = null;
        String md5 = null;
        long size = 0;
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            JsonToken t = p.nextToken();
            if (!seen.add(name)) {
                return null;
            }
            switch (name) {
                case "server" -> server = text(p, t);
                case "path" -> path = text(p, t);
                case "md5" -> md5 = text(p, t);
                case "size" -> {
                    if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                        return null;
                    }
                    size = p.getLongValue();
                }
                default -> {
                    return null;
                }
            }
        }
        return new Meta(server, path, size, md5);
    }

    private static String text(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.VALUE_STRING) {
            throw new IOException("not a string");
        }
        return p.getText();
    }

    long length() throws IOException {
        return Files.size(data);
    }

    void write(Meta m) throws IOException {
        Path tmp = meta.resolveSibling(meta.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp);
                JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("server", m.server());
            g.writeStringField("path", m.path());
            g.writeNumberField("size", m.size());
            g.writeStringField("md5", m.md5());
            g.writeEndObject();
        }
        Files.move(tmp, meta, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** As {@link #write}, for a transfer already failing: a failure here is added to {@code cause}. */
    void writeQuietly(Meta m, Exception cause) {
        try {
            write(m);
        } catch (IOException e) {
            cause.addSuppressed(e); // the next run fetches the file whole
        }
    }

    void discardMeta() throws IOException {
        Files.deleteIfExists(meta);
    }

    /**
     * Removes a meta file whose partial is gone: left behind when a run was killed between
     * renaming the verified partial into place and deleting its meta.
     */
    void discardOrphanMeta() {
        if (!Files.exists(data) && Files.exists(meta)) {
            try {
                Files.deleteIfExists(meta);
            } catch (IOException e) {
                // Harmless clutter; the next run tries again.
            }
        }
    }

    void discard() throws IOException {
        Files.deleteIfExists(data);
        Files.deleteIfExists(meta);
    }
}
