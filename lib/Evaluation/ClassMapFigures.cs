namespace CnnSentinel.Evaluation;

/// <summary>How well a map gets the cells of one class of a <see cref="LabelledMosaic"/> (recalls: shares of that class's cells).</summary>
/// <param name="Class">The class.</param>
/// <param name="Tiles">Its cells.</param>
/// <param name="Centre">Share whose centre pixel holds the class.</param>
/// <param name="CentreBlock">Share of their 2 × 2 centre pixels that hold it.</param>
/// <param name="Majority">Share where most pixels hold it.</param>
/// <param name="Pixels">Share of their pixels that hold it.</param>
internal sealed record ClassMapFigures(string Class, int Tiles, double Centre, double CentreBlock, double Majority, double Pixels);
