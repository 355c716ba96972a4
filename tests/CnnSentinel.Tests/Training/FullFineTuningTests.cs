using CnnSentinel.Models;
using CnnSentinel.Training;
using CnnSentinel.Transforms;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Training;

/// <summary>
/// Issue 16: full fine-tuning of the pretrained ResNet18 (nothing frozen, batch norms in training mode) through
/// the trainer and the real loader aborted the process at a random step (scalars freed by the finalizer while
/// libtorch read them). These runs take hundreds of steps, with and without forced collections.
/// </summary>
public class FullFineTuningTests
{
    const int Steps = 300;

    static (TrainingResult Result, ImageClassifier Model, int Collections) Run(bool forceCollections)
    {
        manual_seed(42);
        var data = EuroSatTrainingData.Open(PatchFixtures.BundledRgb, ChannelNormalization.PretrainedScaleFor, batchSize: 8, seed: 42,
            augmentation: AugmentationPolicy.Dihedral, cacheDecoded: true);
        var model = ModelCatalog.PretrainedResNet18(10);
        int steps = 0, collections = 0;
        var result = Trainer.Fit(model, data.Train, data.Validation, new TrainerOptions
        {
            Epochs = 2,
            StepsPerEpoch = Steps / 2,
            Optimizer = OptimizerSpec.AdamW(1e-3, 0.05),
            Schedule = LearningRateSchedule.Cosine(2, 0, 0.5),
            LabelSmoothing = 0.1,
            Progress = new SynchronousProgress(p =>
            {
                if (p.Completed is not null || !forceCollections || ++steps % 3 != 0) return;
                GC.Collect();
                GC.WaitForPendingFinalizers();
                collections++;
            }),
        });
        return (result, model, collections);
    }

    static void AssertTrainedWithBatchNormsInTrainingMode(TrainingResult result, ImageClassifier model)
    {
        Assert.Equal(2, result.History.Count);
        Assert.All(model.modules().OfType<BatchNorm>(), norm =>
        {
            Assert.Equal(Steps, norm.num_batches_tracked!.item<long>());
            Assert.True(norm.weight.requires_grad);
        });
        Assert.All(model.parameters(), p => Assert.True(p.isfinite().all().item<bool>()));
        Assert.True(result.History[^1].TrainLoss < result.History[0].TrainLoss, "the training loss did not fall");
    }

    [Fact]
    public void ThePretrainedResNet18FineTunesFullyThroughTheTrainerAndLoader()
    {
        var (result, model, _) = Run(forceCollections: false);
        AssertTrainedWithBatchNormsInTrainingMode(result, model);
    }

    [Fact]
    public void ItAlsoDoesWithAFullCollectionEveryThreeSteps()
    {
        var (result, model, collections) = Run(forceCollections: true);
        Assert.Equal(Steps / 3, collections);
        AssertTrainedWithBatchNormsInTrainingMode(result, model);
    }
}
