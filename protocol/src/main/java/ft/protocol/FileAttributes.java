package ft.protocol;

/**
 * What {@code -p} carries besides the bytes: a file's modification time and permission bits.
 *
 * @param mtime modification time, milliseconds since the Unix epoch (may be negative)
 * @param mode  permission bits, {@code 0} to {@code 0777}; set-id and sticky bits never travel
 */
public record FileAttributes(long mtime, int mode) {
    /** Only the nine permission bits; anything else would let a peer make set-id files. */
    public static final int PERMISSION_BITS = 0777;

    public FileAttributes {
        if (mode < 0 || mode > PERMISSION_BITS) {
            throw new IllegalArgumentException("mode must be 0 … 0777 (permission bits only)");
        }
    }

    @Override
    public String toString() {
        return "FileAttributes[mtime=" + mtime + ", mode=0" + Integer.toOctalString(mode) + "]";
    }
}
