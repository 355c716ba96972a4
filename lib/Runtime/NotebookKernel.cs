namespace CnnSentinel.Runtime;

/// <summary>
/// Whether a notebook kernel has loaded the library. Kept here, below every other layer, so that code lower down (training
/// progress) can ask without depending on the notebook layer that sets it.
/// </summary>
internal static class NotebookKernel
{
    /// <summary>True once <see cref="Notebooks.NotebookEnvironment.Initialize"/> has run.</summary>
    public static bool IsLoaded { get; private set; }

    /// <summary>Called by <see cref="Notebooks.NotebookEnvironment.Initialize"/>.</summary>
    public static void MarkLoaded() => IsLoaded = true;
}
