namespace SparseDictionary.Formats;

/// <summary>
/// Creates or replaces a folder so that a crash or failure leaves at its path either the old folder, the complete new
/// one, or nothing — never a partial folder.
/// </summary>
public static class AtomicDirectory
{
    /// <summary>Points where tests can make a write fail.</summary>
    internal enum Stage
    {
        /// <summary>Every file is complete in the temporary folder; nothing at the target has changed yet.</summary>
        FilesWritten,

        /// <summary>The previous folder has been moved aside; the new one is not in place yet.</summary>
        PreviousMovedAside,
    }

    // Lets tests make a write fail at a given point; AsyncLocal keeps it to the test that sets it.
    internal static readonly AsyncLocal<Action<Stage>?> FaultInjection = new();

    /// <summary>
    /// Lets <paramref name="fill"/> write into a hidden sibling folder of <paramref name="target"/>, then renames it into
    /// place. An existing folder is renamed aside first and deleted only once the new one is in place; on failure it is
    /// moved back and the temporary folder is deleted.
    /// </summary>
    /// <param name="target">The folder to create or replace; its parent is created if needed.</param>
    /// <param name="fill">Writes the folder's files into the directory it is given.</param>
    public static void Write(string target, Action<string> fill)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        ArgumentNullException.ThrowIfNull(fill);
        target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(target));
        string parent = Path.GetDirectoryName(target) ?? throw new ArgumentException("Cannot write over a file-system root.", nameof(target));
        string name = Path.GetFileName(target);
        Directory.CreateDirectory(parent);
        string temp = Path.Combine(parent, $".{name}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(temp);
        try
        {
            fill(temp);
            FaultInjection.Value?.Invoke(Stage.FilesWritten);
            MoveIntoPlace(temp, target, parent, name);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static void MoveIntoPlace(string temp, string target, string parent, string name)
    {
        if (!Directory.Exists(target))
        {
            Directory.Move(temp, target);
            return;
        }
        string previous = Path.Combine(parent, $".{name}.{Guid.NewGuid():N}.old");
        Directory.Move(target, previous);
        try
        {
            FaultInjection.Value?.Invoke(Stage.PreviousMovedAside);
            Directory.Move(temp, target);
        }
        catch
        {
            try
            {
                Directory.Move(previous, target);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The previous folder stays at its hidden name; the original failure is the one to report.
            }
            throw;
        }
        TryDelete(previous);
    }

    private static void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover hidden folder is harmless, and the write itself succeeded or has its own error.
        }
    }
}
