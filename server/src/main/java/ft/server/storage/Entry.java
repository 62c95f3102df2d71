package ft.server.storage;

import ft.protocol.EntryType;

/**
 * What a name is.
 *
 * @param name    its last segment
 * @param type    file, dir, link (only from listings and walks, which do not follow) or other
 * @param size    bytes, for a file; 0 otherwise
 * @param mtime   last modification, epoch milliseconds
 * @param mode    permission bits, or null where the backend has none
 * @param version for a file, the version it is; null otherwise
 */
public record Entry(String name, EntryType type, long size, long mtime, Integer mode, Version version) {}
