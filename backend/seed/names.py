"""Plain data the demo generator draws from: names, streets and note texts.

Everything here is a tuple so iteration order (and so the seeded output) never changes.
"""

ENGLISH_FIRST = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda",
    "David", "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica",
    "Thomas", "Sarah", "Christopher", "Karen", "Daniel", "Lisa", "Matthew", "Nancy",
    "Anthony", "Betty", "Mark", "Sandra", "Steven", "Ashley", "Andrew", "Emily",
    "Kevin", "Michelle", "Brian", "Amanda", "Ryan", "Melissa", "Jason", "Stephanie",
    "Eric", "Rebecca", "Justin", "Laura", "Scott", "Megan", "Grace", "Kenji", "Min-jun",
    "Wei", "Anh", "Priya", "Arjun", "Mei", "Hiroshi", "Olivia", "Noah", "Ethan", "Chloe",
)
ENGLISH_LAST = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson",
    "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Thompson", "White",
    "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Hill", "Green", "Adams", "Baker", "Nelson", "Mitchell", "Campbell",
    "Roberts", "Carter", "Phillips", "Evans", "Turner", "Parker", "Collins", "Edwards",
    "Stewart", "Morris", "Murphy", "Cook", "Rogers", "Nguyen", "Tran", "Kim", "Park",
    "Chen", "Wang", "Patel", "Singh", "Tanaka", "Sato", "Le", "Pham", "Reed", "Bennett",
)
HISPANIC_FIRST = (
    "José", "María", "Juan", "Guadalupe", "Luis", "Rosa", "Carlos", "Ana", "Jorge",
    "Carmen", "Miguel", "Alejandra", "Francisco", "Verónica", "Antonio", "Lucía",
    "Jesús", "Elena", "Manuel", "Gabriela", "Ricardo", "Sofía", "Fernando", "Isabel",
    "Javier", "Adriana", "Alejandro", "Patricia", "Roberto", "Mónica", "Eduardo",
    "Leticia", "Raúl", "Claudia", "Héctor", "Yolanda", "Sergio", "Beatriz", "Andrés",
    "Marisol", "Diego", "Daniela", "Óscar", "Valeria", "Arturo", "Silvia",
)
HISPANIC_LAST = (
    "García", "Rodríguez", "Martínez", "Hernández", "López", "González", "Pérez",
    "Sánchez", "Ramírez", "Torres", "Flores", "Rivera", "Gómez", "Díaz", "Reyes",
    "Morales", "Cruz", "Ortiz", "Gutiérrez", "Chávez", "Ramos", "Ruiz", "Mendoza",
    "Álvarez", "Castillo", "Jiménez", "Vásquez", "Romero", "Herrera", "Medina",
    "Aguilar", "Vargas", "Castro", "Guzmán", "Fernández", "Salazar", "Delgado",
    "Navarro", "Estrada", "Orozco", "Contreras", "Domínguez", "Campos", "Ibarra",
)

BUSINESS_KINDS = (
    "Dental Group", "Family Medicine", "Auto Care", "Cleaners", "Bakery", "Taquería",
    "Coffee House", "Fitness Studio", "Pet Hospital", "Car Wash", "Nail Salon",
    "Pizza Kitchen", "Hardware", "Learning Center", "Landscape Supply", "Physical Therapy",
    "Chiropractic", "Veterinary Clinic", "Dry Cleaning", "Florist", "Deli", "Brewing Co.",
)
CONSTRUCTION_NAMES = (
    "Saddleback Builders", "Trabuco Homes", "Canyon Crest Construction",
    "Orange Coast Contractors", "Ortega Development", "Sendero Builders",
    "Esencia Homebuilders", "Rienda Construction", "Pacific Ridge Builders",
)

# ZIP -> (city, streets). The planned outage is on Antonio Pkwy in 92688, so keep it here.
ZIP_STREETS: dict[str, tuple[str, tuple[str, ...]]] = {
    "92688": ("Rancho Santa Margarita", (
        "Antonio Pkwy", "Santa Margarita Pkwy", "Avenida de las Flores", "Alondra",
        "Avenida de las Banderas", "Melinda Rd", "Via Sonrisa", "Paseo de la Colina",
        "Arroyo Vista", "Calle Arroyo", "Cienega", "Bienvenida",
    )),
    "92694": ("Ladera Ranch", (
        "Crown Valley Pkwy", "Vista Ridge", "Sienna Pkwy", "Oso Pkwy", "Bluebird Ln",
        "Hummingbird Ln", "Sedona Ln", "Terrace Ridge", "Mercantile Way",
    )),
    "92691": ("Mission Viejo", (
        "La Paz Rd", "Alicia Pkwy", "Oso Pkwy", "Marguerite Pkwy", "Los Alisos Blvd",
        "Jeronimo Rd", "Via Sacramento", "Olympiad Rd",
    )),
    "92692": ("Mission Viejo", (
        "Crown Valley Pkwy", "Marguerite Pkwy", "Felipe Rd", "Via Escolar", "Oso Pkwy",
        "Antonio Pkwy", "Avenida Empresa",
    )),
    "92679": ("Coto de Caza", (
        "Coto de Caza Dr", "Via Pajaro", "Vista del Verde", "Oak Canyon", "Live Oak Canyon Rd",
    )),
    "92610": ("Lake Forest", (
        "Portola Pkwy", "Glenn Ranch Rd", "Alton Pkwy", "Saddleback Ranch Rd",
    )),
    "92630": ("Lake Forest", (
        "Lake Forest Dr", "Alicia Pkwy", "Ridge Route Dr", "Trabuco Rd", "El Toro Rd",
    )),
    "92675": ("San Juan Capistrano", (
        "Ortega Hwy", "Rancho Viejo Rd", "Camino Capistrano", "Avenida Aeropuerto",
    )),
}
# Most customers live in the core service area; weights follow ZIP_STREETS order.
ZIP_WEIGHTS = (30, 22, 14, 10, 8, 6, 5, 5)

NOTE_BODIES = (
    "Customer called about a high bill; explained the summer irrigation tiers.",
    "Customer asked how to read the meter; sent the how-to guide.",
    "Updated the phone number at the customer's request.",
    "Customer asked about paperless billing; explained how to enroll.",
    "Gate code on file for meter access: ask the customer before visiting.",
    "Dog in the yard: meter reader should call ahead.",
    "Customer reported low pressure in the morning; no system issue found.",
    "El cliente prefiere llamadas en español.",
    "Customer asked about rebates for smart irrigation controllers.",
    "Customer said the meter box lid is cracked; reported to field services.",
)
WORK_ORDER_TEXT = {
    "leak_investigation": (
        "Night flow has stayed above zero for weeks; check for a leak on the customer side."
    ),
    "meter_test": "Customer disputes the reading and asked for a meter accuracy test.",
    "meter_reread": "Customer believes the last read was wrong; please reread the meter.",
    "water_quality": "Customer reports cloudy water from the kitchen tap.",
    "meter_repair": "Meter box lid is broken and the register is hard to read.",
}
