namespace CnnSentinel.Download;

/// <summary>How far a download is.</summary>
/// <param name="Received">Bytes of the file on disk so far (including a resumed part).</param>
/// <param name="Total">The file's size when the server says it; null otherwise.</param>
public readonly record struct DownloadProgress(long Received, long? Total)
{
    /// <summary>Percent done, when the total is known.</summary>
    public double? Percent => Total is > 0 ? 100.0 * Received / Total.Value : null;
}
