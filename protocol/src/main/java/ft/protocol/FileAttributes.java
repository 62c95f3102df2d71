package ft.protocol;

/**
 * What {@code -p} and {@code -r} carry besides the bytes: a file's modification time and,
 * optionally, its permission bits.
 *
 * @param mtime modification time, milliseconds since the Unix epoch (may be negative)
 * @param mode  permission bits, {@code 0} to {@code 0777}, or null to leave them as the
 *              receiver would make them anyway; set-id and sticky bits never travel
 */
public record FileAttributes(long mtime, Integer mode) {
    /** Only the nine permission bits; anything else would let a peer make set-id files. */
    public static final int PERMISSION_BITS = 0777;

    public FileAttributes {
        if (mode != null && (mode < 0 || mode > PERMISSION_BITS)) {
            throw new IllegalArgumentException("mode must be 0 … 0777 (permission bits only)");
        }
    }

    /** Only a modification time. */
    public static FileAttributes mtime(long mtime) {
        return new FileAttributes(mtime, null);
    }

    @Override
    public String toString() {
        return "FileAttributes[mtime=" + mtime + (mode == null ? "" : ", mode=0" + Integer.toOctalString(mode)) + "]";
    }
}
