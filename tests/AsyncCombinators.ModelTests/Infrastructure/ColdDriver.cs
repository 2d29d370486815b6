namespace AsyncCombinators.ModelTests.Infrastructure;

/// <summary>Plays a <see cref="ColdSim"/>'s timeline against a <see cref="ColdWorld"/>.</summary>
public static class ColdDriver
{
    public static void Play(ColdSim model, ColdWorld world, Func<Observation> actual)
    {
        if (!model.Loose)
        {
            // The starts that race the consumer leaving may never come, nor then their ends.
            int certain = model.StartOrder.Count - model.StartsRacingExit;
            world.MayNotStart = model.StartOrder.Skip(certain).ToHashSet();
            Driver.Play(model.Events, world.Play, model.Expected, actual, world.Scenario);
            string observed = world.StartOrder;
            Driver.Require(
                Enumerable.Range(certain, model.StartsRacingExit + 1).Any(n => observed == string.Join(",", model.StartOrder.Take(n))),
                () => $"started [{observed}], the model [{string.Join(",", model.StartOrder)}]",
                world.Scenario);
            return;
        }

        world.Loose = true;
        foreach (TimelineEvent e in model.Events)
        {
            world.Play(e);
        }

        if (model.Result is not null)
        {
            Hang.Until(() => actual().Completed, () => $"the call did not complete. Scenario: {world.Scenario}");
        }
    }

    /// <summary>Checks that no operation is still running and no timer is armed once the call has completed.</summary>
    public static void RequireNothingLeft(ColdWorld world, bool completed)
    {
        if (!completed)
        {
            return;
        }

        Driver.Require(world.Running().Length == 0, () => $"operations [{string.Join(",", world.Running())}] still running after the call completed", world.Scenario);
        Driver.Require(world.Time.Armed == 0, () => $"{world.Time.Armed} timer(s) still armed after the call completed", world.Scenario);
    }
}
