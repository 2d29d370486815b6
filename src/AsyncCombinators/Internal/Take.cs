namespace AsyncCombinators.Internal;

/// <summary>What a one-consumer stream (Map, AsCompleted over operations, Merge) found when its consumer asked for an item.</summary>
internal enum Take
{
    /// <summary>An item, handed over.</summary>
    Item,

    /// <summary>Nothing yet: await the wait, then ask again.</summary>
    Wait,

    /// <summary>The run has ended and everything was handed over: the consumer throws what ended it, if anything did.</summary>
    End,
}
