package ft.server;

import ft.protocol.EntryType;
import ft.protocol.ErrorCode;
import ft.protocol.Md5;
import ft.server.storage.Entry;
import ft.server.storage.ReadHandle;
import ft.server.storage.Storage;
import ft.server.storage.VersionChangedException;
import java.io.IOException;

/**
 * A file's entry paired with the digest of exactly that version, and optionally opened: a file
 * replaced or rewritten between looking, hashing and opening is looked at again, a few times,
 * then refused BUSY.
 */
final class Stable {
    private static final int ATTEMPTS = 3;

    /** What was found; {@code md5} for files only, {@code opened} only when asked for. */
    record Found(Entry entry, Md5 md5, ReadHandle opened) {}

    /** Opens {@code version} at an offset the caller picks once it knows the digest. */
    @FunctionalInterface
    interface Opener {
        ReadHandle open(Entry entry, Md5 md5) throws RefusedException, IOException;
    }

    private Stable() {}

    static Found find(Storage storage, String path, Storage.Progress progress) throws RefusedException, IOException {
        return find(storage, path, progress, null);
    }

    static Found find(Storage storage, String path, Storage.Progress progress, Opener opener)
            throws RefusedException, IOException {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Entry entry = storage.stat(path);
            if (entry.type() != EntryType.FILE) {
                return new Found(entry, null, null);
            }
            try {
                Md5 md5 = storage.digest(path, entry.version(), progress);
                return new Found(entry, md5, opener == null ? null : opener.open(entry, md5));
            } catch (VersionChangedException changed) {
                // Look again.
            }
        }
        throw new RefusedException(ErrorCode.BUSY, "'" + path + "' keeps changing; try again later");
    }
}
