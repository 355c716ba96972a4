using CnnSentinel.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Evaluation;

public class TestTimeAugmentationTests
{
    [Fact]
    public void AveragesTheProbabilitiesOfTheEightFlipsAndQuarterTurns()
    {
        manual_seed(8);
        using var model = nn.Sequential(nn.Flatten(), nn.Linear(3 * 4 * 4, 5));
        var images = randn(2, 3, 4, 4);
        var views = new List<Tensor>();
        foreach (var mirrored in new[] { false, true })
            for (int turns = 0; turns < 4; turns++)
                views.Add(nn.functional.softmax(model.forward((mirrored ? images.flip(3) : images).rot90(turns, (2, 3))), 1));
        var expected = stack(views).mean([0]);
        Assert.True(expected.allclose(Evaluator.DihedralProbabilities(model, images), rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void ChangesNothingForAModelThatIgnoresOrientation()
    {
        manual_seed(9);
        using var model = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(3, 4));
        var images = randn(3, 3, 8, 8);
        Assert.True(nn.functional.softmax(model.forward(images), 1).allclose(Evaluator.DihedralProbabilities(model, images), rtol: 1e-5, atol: 1e-6));
    }
}
