using AsyncCombinators.ModelTests.Infrastructure;
using Xunit.Abstractions;

namespace AsyncCombinators.ModelTests;

/// <summary>FirstSuccessful with no, finite and infinite stagger, with and without a token, against <see cref="FirstSuccessfulSim"/>.</summary>
public sealed class FirstSuccessfulModelTests
{
    private readonly ITestOutputHelper _output;

    public FirstSuccessfulModelTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void FirstSuccessful_GeneratedOperations_MatchesModel() =>
        ModelProperty.Run(
            ColdScenarios.Cold(0, 12, timeout: false, token: true, bound: false, stagger: true, breakEarly: false, forms: 3),
            Play,
            _output);

    /// <summary>Form: 0 (ops), 1 (ops, staggerDelay: none or infinite, token), 2 (ops, stagger, timeProvider, token).</summary>
    internal static void Play(ColdScenario scenario, LeakProbe? leaks)
    {
        if (scenario.Form == 0)
        {
            scenario = scenario with { Token = new TokenPlan(TokenMode.None, 0, 0), Stagger = null };
        }

        if (scenario.Form == 1 && scenario.Stagger > 0)
        {
            scenario = scenario with { Form = 2 };
        }

        var world = new ColdWorld(scenario, "FirstSuccessful", exceptionsMustBeObserved: true);
        world.BeforeCall();
        if (scenario.Ops.Length == 0)
        {
            Driver.Require(ThrowsArgumentException(() => Call(world)), () => "empty input did not throw ArgumentException at the call", scenario);
            return;
        }

        var model = new FirstSuccessfulSim(scenario, i => world.Exceptions[i]);
        model.Run();
        Task<int> call = Call(world);
        bool pendingAtCall = !call.IsCompleted;
        ColdDriver.Play(model, world, () => new Observation(world.StartedCount, 0, call.IsCompleted));
        Endings.Require(Ending.Of(call, t => ((Task<int>)t).Result.ToString(System.Globalization.CultureInfo.InvariantCulture)), model.Accepted, scenario);
        ColdDriver.RequireNothingLeft(world, call.IsCompleted);
        if (leaks is not null && pendingAtCall && call.IsCompleted)
        {
            leaks.Track(call, scenario.ToString(), world.Cts, world.Time);
        }
    }

    private static Task<int> Call(ColdWorld world)
    {
        TimeSpan? stagger = world.Scenario.Stagger switch
        {
            null => null,
            0 => Timeout.InfiniteTimeSpan,
            { } s => TimeSpan.FromSeconds(s),
        };
        return world.Scenario.Form switch
        {
            0 => Async.FirstSuccessful(world.Operations),
            1 => Async.FirstSuccessful(world.Operations, staggerDelay: stagger, cancellationToken: world.Token),
            _ => Async.FirstSuccessful(world.Operations, stagger, world.Time, world.Token),
        };
    }

    private static bool ThrowsArgumentException(Action call)
    {
        try
        {
            call();
            return false;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }
}
