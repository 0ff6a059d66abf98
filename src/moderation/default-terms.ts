/**
 * The term lists a site starts with (moderators replace them on the rules page). Data, not code:
 * each is term-list text as `parseTermList` reads it — see `terms.ts` for the syntax.
 *
 * What goes where:
 * - **Blocked** (the comment is rejected): slurs that are hateful in every ordinary use, genocidal
 *   slogans and direct threats.
 * - **Suspect** (the comment is held for a moderator): slurs with an innocent, historical or
 *   reclaimed use ("yid" is also how some Tottenham fans and some Jews speak of themselves; "fag"
 *   is a cigarette; "dyke" an embankment), misogynist and ableist insults, and phrasing that is
 *   usually but not always a threat or a Nazi slogan.
 * - **Neither**: naming a people, a religion or a country ("Jew", "Muslim", "Zionist", "Islamist",
 *   "gypsy", "Pakistani") is never a reason. Reclaimed words used mostly by the people they name
 *   ("queer") are left out, as are words whose ordinary meaning dominates: "jock" and "hun" (the
 *   sample thread says "Kurds good Jocks bad"), "troon" (a town in Ayrshire), "tinker", "mick",
 *   "paddy", "nip", "spade", "cripple", "spastic" (still a medical term), "slag" (UK "slag off"), "lesbo" (the plural is Lesbos, where the refugee boats land),
 *   "niggardly" (an unrelated word) and profanity in general ("arse", "shit", "fuck"): this is a
 *   debate, and swearing is not hate.
 *
 * Plurals and possessives match by themselves ("yids", "kike's"); so do l33t, spacing,
 * punctuation, repeated and look-alike letters. Exceptions (`!`) protect innocent phrases.
 */

export const DEFAULT_BLOCKED_TERMS = `# Blocked terms: a comment using one is rejected.
# One term a line; see the suspect list for words with an innocent or reclaimed use.

# Against Jews
kike
kyke
sheeny
jewboy
jewed
oven dodger
zionazi
holohoax

# Against Muslims, Arabs and South Asians
paki
rag head
towel head
sand nigger
camel jockey
dune coon
muzzie
muzrat
goat fucker
goat shagger
curry muncher

# Against Black people
nigger*
nig nog
jigaboo
porch monkey
jungle bunny
moon cricket
pickaninny
darkie
darky
wog
kaffir
!kaffir lime

# Against Roma, Gypsies and Travellers
gypo
gippo
pikey
didicoy
didicoi

# Against LGBT people
faggot
!faggots and peas
poofter
batty boy
batty man
shemale

# Against disabled people
spacker
spazzer

# Against East and South-East Asians
gook
chinky
ching chong
zipperhead
slant eye
slant-eyed

# Against Latinos
spic
!spic and span
wetback
beaner

# Against Europeans and Irish
wop
dago
taig

# Against Indigenous peoples
boong

# Genocidal slogans and direct threats
gas the jews
kill all jews
kill the jews
death to the jews
death to jews
kill all muslims
kill the muslims
death to muslims
kill all gays
kill all blacks
burn the mosque
bomb the mosque
burn the synagogue
bomb the synagogue
i will kill you
i'll kill you
i am going to kill you
i'm going to kill you
we know where you live
day of the rope
race war now
`;

export const DEFAULT_SUSPECT_TERMS = `# Suspect terms: a comment using one is held for a moderator.
# Slurs with an innocent, historical or reclaimed use, insults, and likely threats.

# Against Jews
yid
yiddo
hymie
heeb
zhid
zio
zog
!king zog
shylock
christ killer

# Against Muslims and Arabs (and Islamists' words against others)
kafir
kuffar

# Against Black people
nigga
niggaz
coon
sambo
negro
!negros occidental
!negros oriental
negress
golliwog
tar baby

# Against LGBT people
fag
!fag end
dyke
!offa's dyke
tranny
poof
homo
!homo sapiens
!homo erectus
sodomite
bum boy

# Against disabled people
retard
retarded
libtard
tard
spaz
mong
mongoloid
window licker
schizo
midget
!midget submarine

# Against Asians
chink
!chink in
!chinks in
!chink of
jap
coolie
chinaman

# Against Europeans and Irish
polack
kraut
eyetie
bohunk
fenian
bog trotter

# Against Indigenous peoples
abo
!abo blood
injun
redskin
squaw
half caste

# Against women
bitch
whore
slut
skank
cunt
feminazi

# Threats, incitement and Nazi slogans
kill yourself
kys
should be shot
should be hanged
deserve to die
sieg heil
heil hitler
hitler was right
white power
fourteen words
holocaust hoax
`;
