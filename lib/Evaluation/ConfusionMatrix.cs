using System.Globalization;
using CnnSentinel.IO;

namespace CnnSentinel.Evaluation;

/// <summary>
/// Counts of (true class, predicted class) pairs and the figures derived from them: overall and
/// average accuracy, Cohen's kappa, per-class precision, recall and F1.
/// </summary>
/// <remarks>Rows are true classes, columns predicted classes. A class with no samples has recall NaN and is left out of averages.</remarks>
public sealed class ConfusionMatrix
{
    readonly long[,] _counts;

    /// <summary>Class names, in class-index order.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>An empty matrix for <paramref name="classes"/>.</summary>
    public ConfusionMatrix(IReadOnlyList<string> classes)
    {
        if (classes.Count == 0) throw new ArgumentException("A confusion matrix needs at least one class.", nameof(classes));
        Classes = classes;
        _counts = new long[classes.Count, classes.Count];
    }

    /// <summary>Builds a matrix from aligned label and prediction sequences.</summary>
    public static ConfusionMatrix From(IReadOnlyList<string> classes, IEnumerable<int> truth, IEnumerable<int> predicted)
    {
        var matrix = new ConfusionMatrix(classes);
        using var t = truth.GetEnumerator();
        using var p = predicted.GetEnumerator();
        while (true)
        {
            bool moreTruth = t.MoveNext(), morePredicted = p.MoveNext();
            if (moreTruth != morePredicted) throw new ArgumentException("Labels and predictions differ in length.");
            if (!moreTruth) return matrix;
            matrix.Add(t.Current, p.Current);
        }
    }

    /// <summary>Counts one sample.</summary>
    public void Add(int truth, int predicted)
    {
        Check(truth, nameof(truth));
        Check(predicted, nameof(predicted));
        _counts[truth, predicted]++;
    }

    /// <summary>Samples of class <paramref name="truth"/> predicted as <paramref name="predicted"/>.</summary>
    public long this[int truth, int predicted] => _counts[truth, predicted];

    /// <summary>Number of samples counted.</summary>
    public long Total => Enumerable.Range(0, Classes.Count).Sum(RowSum);

    /// <summary>Fraction of samples on the diagonal.</summary>
    public double OverallAccuracy => Total == 0 ? double.NaN : (double)Enumerable.Range(0, Classes.Count).Sum(i => _counts[i, i]) / Total;

    /// <summary>Recall (producer's accuracy) of class <paramref name="c"/>; NaN when it has no samples.</summary>
    public double Recall(int c) => RowSum(c) == 0 ? double.NaN : (double)_counts[c, c] / RowSum(c);

    /// <summary>Precision (user's accuracy) of class <paramref name="c"/>; NaN when it was never predicted.</summary>
    public double Precision(int c) => ColumnSum(c) == 0 ? double.NaN : (double)_counts[c, c] / ColumnSum(c);

    /// <summary>F1 of class <paramref name="c"/>; 0 when precision and recall are both 0, NaN when either is undefined.</summary>
    public double F1(int c)
    {
        double p = Precision(c), r = Recall(c);
        if (double.IsNaN(p) || double.IsNaN(r)) return double.NaN;
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /// <summary>Mean recall over the classes that have samples.</summary>
    public double AverageAccuracy
    {
        get
        {
            var recalls = Enumerable.Range(0, Classes.Count).Select(Recall).Where(r => !double.IsNaN(r)).ToList();
            return recalls.Count == 0 ? double.NaN : recalls.Average();
        }
    }

    /// <summary>Cohen's kappa: agreement beyond what the row and column totals give by chance.</summary>
    public double Kappa
    {
        get
        {
            double total = Total;
            if (total == 0) return double.NaN;
            double chance = Enumerable.Range(0, Classes.Count).Sum(i => (double)RowSum(i) * ColumnSum(i)) / (total * total);
            return chance == 1 ? double.NaN : (OverallAccuracy - chance) / (1 - chance);
        }
    }

    long RowSum(int r) => Enumerable.Range(0, Classes.Count).Sum(c => _counts[r, c]);
    long ColumnSum(int c) => Enumerable.Range(0, Classes.Count).Sum(r => _counts[r, c]);

    void Check(int index, string name)
    {
        if (index < 0 || index >= Classes.Count)
            throw new ArgumentOutOfRangeException(name, index, $"Class index must be in 0..{Classes.Count - 1}.");
    }

    /// <summary>
    /// An HTML table: counts with per-class recall, precision and F1, and the overall figures. Rows are named
    /// "index name"; the predicted-class columns carry only the index (the name shows on hovering), so that ten
    /// EuroSAT classes and the three figures fit a notebook page instead of pushing the figures off its right edge.
    /// </summary>
    public string ToHtml()
    {
        var headings = new[] { new HtmlCell("true \\ predicted") }
            .Concat(Classes.Select((name, c) => new HtmlCell(c.ToString(CultureInfo.InvariantCulture), Title: name)))
            .Concat(["recall", "precision", "F1"]);
        var rows = Enumerable.Range(0, Classes.Count).Select(r => new[] { new HtmlCell($"{r} {Classes[r]}", "left", IsHeading: true) }
            .Concat(Enumerable.Range(0, Classes.Count).Select(c => new HtmlCell(_counts[r, c].ToString(CultureInfo.InvariantCulture), IsBold: r == c)))
            .Concat([P(Recall(r)), P(Precision(r)), P(F1(r))]));
        return $"<div class=\"cnnsentinel-confusion\" style=\"overflow-x:auto\">{HtmlTable.Render(null, headings, rows)}<p>" +
            $"overall accuracy {P(OverallAccuracy)} · average accuracy {P(AverageAccuracy)} · kappa {P(Kappa)} · {Total} samples</p></div>";
    }

    static string P(double v) => double.IsNaN(v) ? "–" : v.ToString("0.000", CultureInfo.InvariantCulture);
}
