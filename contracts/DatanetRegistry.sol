// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {LedgerBase} from "./LedgerBase.sol";

/// @title DatanetRegistry: contributors register data items (content hash, size, Datanet, optional stake)
/// under a per-identity daily cap; duplicate content hashes revert unless the design under study accepts
/// them, in which case they are marked isDuplicate for defences that use it. Storage keeps what contract
/// functions read (owner, time, Datanet, flags, stake); hash and size are recorded by ItemRegistered.
abstract contract DatanetRegistry is LedgerBase {
    error UnknownDatanet(uint64 datanetId);
    error UnknownItem(uint64 itemId);
    error ZeroContentHash();
    error ZeroSize();
    error DuplicateContent(bytes32 contentHash, uint64 existingItemId);
    error DailyCapExceeded(address identity, uint32 day, uint32 cap);
    error StakeTooLow(uint256 sent, uint256 required);
    error NotItemOwner(uint64 itemId, address account);
    error ItemIsFlagged(uint64 itemId);
    error ChallengeWindowOpen(uint64 itemId, uint64 endsAt);
    error ChallengeOpen(uint64 itemId);

    event DatanetCreated(uint64 indexed datanetId, address indexed curator, bytes32 metadata);
    event ItemRegistered(
        uint64 indexed itemId, address indexed owner, uint64 indexed datanetId, bytes32 contentHash, uint64 size,
        uint128 stake, bool isDuplicate
    );
    event StakeAdded(uint64 indexed itemId, address indexed owner, uint128 amount, uint128 itemStake);
    event StakeWithdrawn(uint64 indexed itemId, address indexed owner, uint128 amount);

    function createDatanet(bytes32 metadata) external onlyRole(CURATOR) returns (uint64 id) {
        id = ++datanetCount;
        // Items store the Datanet id in 32 bits (one slot per item); 4.3 billion Datanets is out of reach.
        if (id > type(uint32).max) revert InvalidParam("datanetCount");
        datanetCurator[id] = msg.sender;
        emit DatanetCreated(id, msg.sender, metadata);
    }

    /// Registration is open to any address on purpose (the sybil study needs it); the daily cap, the
    /// duplicate check and the minimum stake are the guards. msg.value is the item's stake.
    function register(bytes32 contentHash, uint64 size, uint64 datanetId) external payable returns (uint64 id) {
        if (contentHash == bytes32(0)) revert ZeroContentHash();
        if (size == 0) revert ZeroSize();
        if (datanetId == 0 || datanetId > datanetCount) revert UnknownDatanet(datanetId);
        Params storage p = _params;
        if (msg.value < p.minStake) revert StakeTooLow(msg.value, p.minStake);
        Identity storage idt = _identities[msg.sender];
        uint32 day = uint32(block.timestamp / 86400);
        if (idt.day != day) {
            idt.day = day;
            idt.dayCount = 0;
        }
        if (p.dailyCap != 0 && idt.dayCount >= p.dailyCap) revert DailyCapExceeded(msg.sender, day, p.dailyCap);
        idt.dayCount += 1;
        uint64 existing = itemByHash[contentHash];
        bool dup = existing != 0;
        if (dup && !p.allowDuplicates) revert DuplicateContent(contentHash, existing);
        id = ++itemCount;
        if (!dup) itemByHash[contentHash] = id;
        uint128 stake = _u128(msg.value);
        Item storage it = _items[id];
        // One slot (flagged and challenged start false); contentHash and size go to the event only.
        it.owner = msg.sender;
        it.registeredAt = uint40(block.timestamp);
        it.datanetId = uint32(datanetId); // ≤ datanetCount ≤ type(uint32).max, checked above
        it.isDuplicate = dup;
        if (stake != 0) {
            it.stake = stake; // no write of a zero stake slot
            idt.stake += stake;
        }
        emit ItemRegistered(id, msg.sender, datanetId, contentHash, size, stake, dup);
    }

    function addStake(uint64 itemId) external payable {
        Item storage it = _item(itemId);
        if (it.owner != msg.sender) revert NotItemOwner(itemId, msg.sender);
        if (it.flagged) revert ItemIsFlagged(itemId);
        if (msg.value == 0) revert ZeroValue();
        uint128 amount = _u128(msg.value);
        it.stake += amount;
        _identities[msg.sender].stake += amount;
        emit StakeAdded(itemId, msg.sender, amount, it.stake);
    }

    /// Stake leaves only after the challenge window, with no challenge pending (else a contributor could
    /// front-run a challenge by withdrawing).
    function withdrawStake(uint64 itemId) external nonReentrant {
        Item storage it = _item(itemId);
        if (it.owner != msg.sender) revert NotItemOwner(itemId, msg.sender);
        if (it.flagged) revert ItemIsFlagged(itemId);
        if (it.challenged) revert ChallengeOpen(itemId);
        uint64 endsAt = it.registeredAt + _params.challengeWindow;
        if (block.timestamp < endsAt) revert ChallengeWindowOpen(itemId, endsAt);
        uint128 amount = it.stake;
        if (amount == 0) revert NothingToWithdraw();
        it.stake = 0;
        _identities[msg.sender].stake -= amount;
        emit StakeWithdrawn(itemId, msg.sender, amount);
        _send(msg.sender, amount);
    }

    function itemOf(uint64 itemId) external view returns (Item memory) {
        return _item(itemId);
    }

    function stakeOf(address a) external view returns (uint128) {
        return _identities[a].stake;
    }

    function _item(uint64 itemId) internal view returns (Item storage it) {
        it = _items[itemId];
        if (it.owner == address(0)) revert UnknownItem(itemId);
    }
}
