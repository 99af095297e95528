// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {LedgerBase} from "./LedgerBase.sol";

/// @title DatanetRegistry: contributors register data items (content hash, size, Datanet, optional stake)
/// under a per-identity daily cap; duplicate content hashes revert unless the design under study accepts
/// them, in which case they are marked isDuplicate for defences that use it. A hash whose holder was
/// flagged by an upheld challenge is free again; commit-reveal registration beats front-runners. Storage keeps what contract
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
    error UnknownCommitment(bytes32 commitment);
    error CommitmentExpired(bytes32 commitment, uint64 expiredAt);

    event DatanetCreated(uint64 indexed datanetId, address indexed curator, bytes32 metadata);
    event ItemRegistered(
        uint64 indexed itemId, address indexed owner, uint64 indexed datanetId, bytes32 contentHash, uint64 size,
        uint128 stake, bool isDuplicate
    );
    event RegistrationCommitted(address indexed sender, bytes32 indexed commitment, uint64 number, uint64 itemCount);
    event HashReclaimed(bytes32 indexed contentHash, uint64 indexed fromItemId, uint64 indexed toItemId);
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
    /// duplicate check and the minimum stake are the guards. msg.value is the item's stake. A plain
    /// register can be front-run (the hash is public in the mempool): commitRegistration +
    /// revealRegistration cannot.
    function register(bytes32 contentHash, uint64 size, uint64 datanetId) external payable returns (uint64) {
        return _register(contentHash, size, datanetId, 0);
    }

    /// Step 1 of a front-running-resistant registration: commit to commitmentOf(msg.sender, hash, size,
    /// datanetId, salt). The commitment hides the hash and names the sender, so copying it is useless,
    /// and commitments are kept per sender, so nobody can occupy or reset another's. Committing again
    /// replaces the earlier commitment's priority.
    function commitRegistration(bytes32 commitment) external returns (uint64 number) {
        if (commitment == bytes32(0)) revert ZeroContentHash();
        number = ++commitCount;
        uint64 count = itemCount;
        _commits[msg.sender][commitment] = (uint256(count) << 128) | (uint256(number) << 64) | block.timestamp;
        emit RegistrationCommitted(msg.sender, commitment, number, count);
    }

    /// Step 2, within revealWindow of the commit: registers like register(), with the priority of the
    /// commit. A hash registered by someone else AFTER the commit (a front-runner who saw this reveal,
    /// or any later registrant) is taken back: the hash moves to the new item and the earlier holder is
    /// marked isDuplicate (challengeable as such). A holder registered before the commit keeps the hash.
    function revealRegistration(bytes32 contentHash, uint64 size, uint64 datanetId, bytes32 salt)
        external
        payable
        returns (uint64)
    {
        bytes32 c = commitmentOf(msg.sender, contentHash, size, datanetId, salt);
        uint256 packed = _commits[msg.sender][c];
        if (packed == 0) revert UnknownCommitment(c);
        uint64 expires = uint64(packed) + _params.revealWindow; // uint40-range time + ≤ MAX_WINDOW
        if (block.timestamp > expires) revert CommitmentExpired(c, expires);
        delete _commits[msg.sender][c];
        return _register(contentHash, size, datanetId, packed >> 64);
    }

    function commitmentOf(address sender, bytes32 contentHash, uint64 size, uint64 datanetId, bytes32 salt)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(sender, contentHash, size, datanetId, salt));
    }

    /// The item holding a content hash, 0 when it is free (never registered, or its holder was flagged
    /// by an upheld challenge: a squatter loses the hash and the real owner can register it).
    function hashHolder(bytes32 contentHash) external view returns (uint64 id) {
        id = itemByHash[contentHash];
        if (id != 0 && _items[id].flagged) id = 0;
    }

    /// claim: 0 for a plain register, else itemCount at the commitment << 64 | the commitment's number.
    function _register(bytes32 contentHash, uint64 size, uint64 datanetId, uint256 claim) private returns (uint64 id) {
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
        uint64 holder = itemByHash[contentHash];
        id = itemCount + 1;
        bool dup;
        if (holder != 0) {
            // Only here (a hash seen before) are the holder's flags and rank read: the plain path stays cheap.
            Item storage held = _items[holder];
            if (held.flagged) {
                // an upheld challenge freed the hash
            } else if (claim != 0 && _precedes(claim, contentHash, holder)) {
                held.isDuplicate = true;
                emit HashReclaimed(contentHash, holder, id);
            } else {
                dup = true;
                if (!p.allowDuplicates) revert DuplicateContent(contentHash, holder);
            }
        }
        itemCount = id;
        if (!dup) {
            itemByHash[contentHash] = id;
            // a revealed holder ranks by its commitment number; a fresh hash's rank is already 0
            if (claim != 0 || holder != 0) _hashRank[contentHash] = uint64(claim);
        }
        uint128 stake = _u128(msg.value);
        Item storage it = _items[id];
        // One slot (flagged and challenged start false); contentHash and size go to the event only.
        it.owner = msg.sender;
        it.registeredAt = uint40(block.timestamp);
        it.datanetId = uint32(datanetId); // ≤ datanetCount ≤ type(uint32).max, checked above
        it.isDuplicate = dup;
        if (stake != 0) {
            it.stake = stake; // no write of a zero stake slot
            _checkpoint(idt);
            idt.stake += stake;
        }
        emit ItemRegistered(id, msg.sender, datanetId, contentHash, size, stake, dup);
    }

    /// Whether a commitment came before the hash's holder. A plain holder was registered when itemCount
    /// went from id − 1 to id, so a commitment made while itemCount was below its id came first; a revealed
    /// holder compares by commitment number (strictly ordered).
    function _precedes(uint256 claim, bytes32 contentHash, uint64 holder) private view returns (bool) {
        uint64 r = _hashRank[contentHash];
        return r == 0 ? uint64(claim >> 64) < holder : uint64(claim) < r;
    }

    /// Every change of an identity's stake goes through here first: the first change in an epoch records
    /// the stake the identity had when the previous epoch closed (what settlement of that epoch reads).
    function _checkpoint(Identity storage idt) internal {
        uint64 e = uint64(currentEpoch);
        if (idt.stakeEpoch != e) {
            idt.stakeEpoch = e;
            idt.prevStake = idt.stake;
        }
    }

    /// S_a as it was when epoch e closed, for the epoch being scored (e = currentEpoch − 1, which
    /// closeEpoch guarantees: an epoch closes only after the one before it is scored).
    function _stakeAt(Identity storage idt, uint256 e) internal view returns (uint256) {
        return idt.stakeEpoch <= e ? idt.stake : idt.prevStake;
    }

    function addStake(uint64 itemId) external payable {
        Item storage it = _item(itemId);
        if (it.owner != msg.sender) revert NotItemOwner(itemId, msg.sender);
        if (it.flagged) revert ItemIsFlagged(itemId);
        if (msg.value == 0) revert ZeroValue();
        uint128 amount = _u128(msg.value);
        it.stake += amount;
        Identity storage idt = _identities[msg.sender];
        _checkpoint(idt);
        idt.stake += amount;
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
        Identity storage idt = _identities[msg.sender];
        _checkpoint(idt);
        idt.stake -= amount;
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
