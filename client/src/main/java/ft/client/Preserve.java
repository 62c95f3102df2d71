package ft.client;

/** Which of a file's attributes a transfer carries to the copy it makes, besides the bytes. */
public enum Preserve {
    /** None: the copy is made now, with the receiver's usual permissions (like cp, scp). */
    NOTHING,
    /** The modification time ({@code -r}: a mirror's files keep their real dates). */
    TIMES,
    /** The modification time and the permission bits ({@code -p}, like scp -p and rsync -tp). */
    TIMES_AND_MODE
}
