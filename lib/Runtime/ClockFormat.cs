namespace CnnSentinel.Runtime;

/// <summary>Durations as a clock shows them in progress lines: <c>m:ss</c>, or <c>h:mm:ss</c> from an hour on.</summary>
internal static class ClockFormat
{
    /// <summary><c>1:23</c> for 83 s, <c>2:03:04</c> for 2 h 3 min 4 s.</summary>
    public static string Of(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}" : $"{(int)t.TotalMinutes}:{t.Seconds:00}";
}
