package ft.server.storage;

import ft.protocol.Md5;

/**
 * Where a backend keeps the MD5s it has learnt, by file and version, so that a digest is
 * computed at most once per version, across restarts if the store persists (a sidecar index
 * under {@code .ft/}, say).
 */
public interface DigestStore {
    /** The MD5 recorded for {@code version} of {@code key}, or null. */
    Md5 lookup(String key, Version version);

    void record(String key, Version version, Md5 md5);

    /** Forgets whatever is recorded for {@code key}. */
    void forget(String key);
}
