package ft.protocol;

import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

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

    /** Added to the mode of every file made with these attributes: its owner can still read and replace it. */
    public static final int OWNER_READ_WRITE = 0600;

    /** Only a modification time. */
    public static FileAttributes mtime(long mtime) {
        return new FileAttributes(mtime, null);
    }

    /** The permission bits of {@code mode} (0 … 0777) as java.nio names them. */
    public static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission p : PosixFilePermission.values()) {
            if ((mode & bit(p)) != 0) {
                set.add(p);
            }
        }
        return set;
    }

    /** The mode (0 … 0777) of a set of permissions. */
    public static int mode(Set<PosixFilePermission> permissions) {
        int mode = 0;
        for (PosixFilePermission p : permissions) {
            mode |= bit(p);
        }
        return mode;
    }

    /** OWNER_READ is 0400, OWNER_WRITE 0200, … OTHERS_EXECUTE 0001: the enum's order. */
    private static int bit(PosixFilePermission p) {
        return 0400 >> p.ordinal();
    }

    @Override
    public String toString() {
        return "FileAttributes[mtime=" + mtime + (mode == null ? "" : ", mode=0" + Integer.toOctalString(mode)) + "]";
    }
}
