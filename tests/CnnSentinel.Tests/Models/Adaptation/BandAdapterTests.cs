using CnnSentinel.Models;
using CnnSentinel.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Models;

/// <summary>The band adapter reads its layout: the adapter, then the backbone exactly as the backbone runs on its own.</summary>
public class BandAdapterTests
{
    [Fact]
    public void TheLayoutComputesTheBackboneOnTheAdaptersOutput()
    {
        torch.manual_seed(3);
        using var backbone = ResNet.ResNet18(classes: 10);
        backbone.SetInputNormalization(new InputNormalization(new ChannelNormalization([0.4, 0.5, 0.6], [0.2, 0.3, 0.4])));
        backbone.eval();
        using var adapted = new BandAdapter(backbone, 13);
        adapted.eval();
        using var noGrad = torch.no_grad();
        using var input = torch.randn(2, 13, 64, 64);
        var state = adapted.state_dict();
        using var adapterOutput = nn.functional.conv2d(input, state["adapter.weight"], state["adapter.bias"]);

        TensorAssert.Identical(backbone.call(adapterOutput), adapted.call(input), "logits");
        TensorAssert.Identical(backbone.FeatureMap(adapterOutput), adapted.FeatureMap(input), "feature map");
        using var pooled = torch.randn(2, 512);
        TensorAssert.Identical(backbone.HeadOfPooled(pooled), adapted.HeadOfPooled(pooled), "head");
    }

    [Fact]
    public void ABackboneWithoutALayoutRunsWholeAfterTheAdapter()
    {
        torch.manual_seed(4);
        using var backbone = new LayoutlessNetwork();
        using var adapted = new BandAdapter(backbone, 13);
        using var noGrad = torch.no_grad();
        using var input = torch.randn(2, 13, 32, 32);
        var state = adapted.state_dict();
        using var adapterOutput = nn.functional.conv2d(input, state["adapter.weight"], state["adapter.bias"]);

        TensorAssert.Identical(backbone.call(adapterOutput), adapted.call(input), "logits");
        Assert.Null(adapted.FeatureStride);
    }

    /// <summary>A network written outside the library: its own forward pass, no layout.</summary>
    sealed class LayoutlessNetwork : ImageClassifier
    {
        readonly nn.Module<Tensor, Tensor> linear = nn.Linear(3, 10);

        public LayoutlessNetwork() : base(nameof(LayoutlessNetwork), bands: 3, classes: 10) => RegisterComponents();

        public override string FirstConvolutionName => nameof(linear);

        public override string HeadName => nameof(linear);

        public override string FineTuneFrom => nameof(linear);

        public override ImageClassifier WithBands(int bands) => throw new NotSupportedException();

        protected override Tensor ForwardChecked(Tensor input) => linear.call(input.mean([2, 3]));
    }
}
