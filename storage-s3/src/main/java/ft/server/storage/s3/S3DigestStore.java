package ft.server.storage.s3;

import ft.protocol.Md5;
import ft.server.storage.DigestStore;
import ft.server.storage.Version;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * MD5s of objects ft did not write (no {@code ft-md5} metadata), computed once and kept in a sidecar
 * {@code .ft/md5/<key>} = {"etag":..,"md5":..}: valid while the object keeps that ETag, so a
 * replaced object is hashed again and an unchanged one never.
 */
final class S3DigestStore implements DigestStore {
    record Known(String etag, String md5) {}

    private final S3Storage.Shared shared;

    S3DigestStore(S3Storage.Shared shared) {
        this.shared = shared;
    }

    /** The MD5 recorded for {@code key} with ETag {@code etag}, or null. */
    Md5 find(String key, String etag) throws IOException {
        Known k;
        try {
            k = shared.readJson(shared.digestKey(key), Known.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            return null; // not ours or damaged: hash again
        }
        return k != null && etag.equals(k.etag()) && k.md5() != null && Md5.isValid(k.md5()) ? new Md5(k.md5()) : null;
    }

    void save(String key, String etag, Md5 md5) throws IOException {
        shared.writeJson(shared.digestKey(key), new Known(etag, md5.hex()));
    }

    void drop(String key) throws IOException {
        shared.deleteObject(shared.digestKey(key));
    }

    @Override
    public Md5 lookup(String key, Version version) {
        try {
            return find(key, version.tag());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void record(String key, Version version, Md5 md5) {
        try {
            save(key, version.tag(), md5);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void forget(String key) {
        try {
            drop(key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
